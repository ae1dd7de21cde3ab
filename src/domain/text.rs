//! What may stand in requester text. Control characters and the invisible bidirectional
//! formatting marks never belong in a name, a reference or a date: a newline in an instrument
//! reference wrote an "ADDENDUM" into the signed certificate, and U+202E (right-to-left override)
//! makes `gpj.exe` read as `exe.jpg`. Single-line fields refuse all of them; multi-line fields
//! (summaries, reasons, messages) keep line breaks and tabs and refuse the rest.

/// The bidirectional embeddings, overrides and isolates, and the directional marks.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters no single-line field may hold: every C0 and C1 control (line breaks included),
/// DEL, the line and paragraph separators, and the bidirectional controls.
pub fn is_forbidden_in_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// As [`is_forbidden_in_line`], but line feeds, carriage returns and tabs are allowed.
pub fn is_forbidden_in_text(c: char) -> bool {
    !matches!(c, '\n' | '\r' | '\t') && is_forbidden_in_line(c)
}

/// Why `value` cannot stand in a single-line field, if it cannot.
pub fn check_line(value: &str) -> Result<(), String> {
    match value.chars().find(|c| is_forbidden_in_line(*c)) {
        None => Ok(()),
        Some(c) => Err(refusal(c, "Keep this to one line of plain text")),
    }
}

/// Why `value` cannot stand in a multi-line field, if it cannot.
pub fn check_text(value: &str) -> Result<(), String> {
    match value.chars().find(|c| is_forbidden_in_text(*c)) {
        None => Ok(()),
        Some(c) => Err(refusal(c, "Use plain text")),
    }
}

fn refusal(c: char, advice: &str) -> String {
    let what = if c == '\n' || c == '\r' {
        "a line break".to_owned()
    } else if is_bidi_control(c) {
        format!("an invisible text-direction character (U+{:04X})", c as u32)
    } else {
        format!("a control character (U+{:04X})", c as u32)
    };
    format!("{advice}: this contains {what}.")
}

/// `value` with every character a single line must not hold written as `\u{…}`, so that text
/// from outside (a bundle's file names, a requester's field) cannot move a terminal's cursor,
/// colour it, or start a new line in a signed document.
pub fn escape_controls(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if is_forbidden_in_line(c) {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_lines_refuse_breaks_controls_and_direction_overrides() {
        assert_eq!(check_line("GJ-2026-114 (Fed. R. Crim. P. 17)"), Ok(()));
        assert_eq!(check_line("Müller-Lüdenscheidt, 北京"), Ok(()));
        assert_eq!(
            check_line("GJ-1\nADDENDUM: also all content").unwrap_err(),
            "Keep this to one line of plain text: this contains a line break."
        );
        assert_eq!(
            check_line("inv\u{202E}gpj.exe").unwrap_err(),
            "Keep this to one line of plain text: this contains an invisible text-direction character (U+202E)."
        );
        assert!(check_line("a\u{1b}[2Jb").is_err());
        assert!(check_line("a\u{85}b").is_err(), "C1 next-line");
        assert!(check_line("a\u{2028}b").is_err(), "line separator");
        assert!(check_line("a\u{2067}b").is_err(), "isolate");
    }

    #[test]
    fn text_keeps_line_breaks_and_tabs_only() {
        assert_eq!(check_text("line one\r\nline two\tend"), Ok(()));
        assert!(check_text("bell\u{7}").is_err());
        assert!(check_text("rtl \u{202E} override").is_err());
    }

    #[test]
    fn escaping_shows_what_was_hidden() {
        assert_eq!(
            escape_controls("a\u{1b}[31mred\nb\u{202E}"),
            "a\\u{001b}[31mred\\u{000a}b\\u{202e}"
        );
        assert_eq!(escape_controls("plain ü"), "plain ü");
    }
}
