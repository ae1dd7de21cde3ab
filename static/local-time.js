// Beside a due time written in UTC, the same instant in the viewer's own time zone. The page
// reads in full without this script; it only adds the local reading.
(function () {
  if (new Date().getTimezoneOffset() === 0) return;
  var format = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
  });
  document.querySelectorAll('time[data-local]').forEach(function (el) {
    var at = new Date(el.getAttribute('datetime'));
    if (isNaN(at.getTime())) return;
    var local = document.createElement('span');
    local.className = 'local-time';
    local.textContent = ' (' + format.format(at) + ', your time)';
    el.after(local);
  });
})();
