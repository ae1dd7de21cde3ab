//! Streams a stored document back out, decrypting it segment by segment on the blocking pool.

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::tokio::io::{duplex, DuplexStream};
use tokio_util::io::SyncIoBridge;

use super::DocumentStore;

pub struct Download {
    reader: DuplexStream,
    media_type: ContentType,
    filename: String,
}

impl Download {
    /// Starts decrypting document `id`; a failed integrity check ends the stream early and is logged.
    pub fn start(store: &DocumentStore, id: &str, media_type: &str, filename: &str) -> Download {
        let (reader, writer) = duplex(256 * 1024);
        let (store, id) = (store.clone(), id.to_owned());
        rocket::tokio::task::spawn_blocking(move || {
            let output = SyncIoBridge::new(writer);
            if let Err(e) = store.read_into(&id, output) {
                log::error!("document {id} could not be streamed: {e}");
            }
        });
        let media_type = ContentType::parse_flexible(media_type).unwrap_or(ContentType::Binary);
        Download {
            reader,
            media_type,
            filename: filename.to_owned(),
        }
    }
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        // Only ASCII survives in the plain filename parameter; the name was cleaned at intake.
        let ascii: String = self
            .filename
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Response::build()
            .status(Status::Ok)
            .header(self.media_type)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{ascii}\""),
            ))
            .streamed_body(self.reader)
            .ok()
    }
}
