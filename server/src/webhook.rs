//! The feedback webhook (`casm-feed serve --webhook URL`): each feedback message, once
//! committed, is POSTed to URL as a [`FeedbackEvent`].
//!
//! The visitor's request only puts the event on a bounded queue ([`Webhook::notify`]
//! never waits; when the queue is full the event is dropped with a warning, the message
//! itself is stored either way). A background task delivers the queue, a few events at a
//! time, each with up to [`TRIES`] tries: a 2xx answer is success; anything else (an
//! error status, a redirect, a refused connection, no answer within [`TIMEOUT`]) is
//! retried after the configured base delay, doubling each time (1 s, 2 s, 4 s, 8 s by
//! default). Events still queued or being retried when the service stops are lost; the
//! messages are in the database (`GET /v1/admin/feedback?status=new`).
//!
//! The client is reqwest without TLS: plain `http://` URLs only (a receiver on the same
//! host or network). `https://` needs reqwest's `rustls-tls` feature.

use casm_model::wire::FeedbackEvent;
use reqwest::Url;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// Events waiting to be sent; beyond this, new ones are dropped.
pub const QUEUE: usize = 256;

/// Tries per event.
pub const TRIES: u32 = 5;

/// Longest one try may take, from connecting to the end of the answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Events being delivered (or waiting between tries) at once.
const IN_FLIGHT: usize = 4;

/// Queues feedback events for the webhook; a disabled one drops them silently.
#[derive(Clone, Debug, Default)]
pub struct Webhook {
    tx: Option<mpsc::Sender<FeedbackEvent>>,
}

impl Webhook {
    /// No webhook configured.
    pub fn disabled() -> Self {
        Webhook { tx: None }
    }

    /// Checks `url` and starts the delivery task; `backoff` is the wait before the second
    /// try, doubled before each later one.
    pub fn spawn(url: &str, backoff: Duration) -> anyhow::Result<Self> {
        let url = Url::parse(url).map_err(|e| anyhow::anyhow!("webhook URL '{url}': {e}"))?;
        match url.scheme() {
            "http" => {}
            "https" => anyhow::bail!(
                "webhook URL '{url}': this build sends plain http:// only \
                 (https needs reqwest's rustls-tls feature)"
            ),
            other => anyhow::bail!("webhook URL '{url}': unsupported scheme '{other}'"),
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A redirected POST would be re-sent as a GET; treat a redirect as a failure.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "casm-feed/",
                env!("CARGO_PKG_VERSION"),
                " (webhook)"
            ))
            .build()?;
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(client, url, backoff, rx));
        Ok(Webhook { tx: Some(tx) })
    }

    /// Whether events go anywhere.
    pub fn is_enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// Queues `event` without waiting; drops it, with a warning, when the queue is full.
    pub fn notify(&self, event: FeedbackEvent) {
        let Some(tx) = &self.tx else { return };
        let id = event.id;
        match tx.try_send(event) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    feedback = id,
                    "webhook queue full ({QUEUE} waiting): event dropped"
                );
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::warn!(feedback = id, "webhook task stopped: event dropped");
            }
        }
    }
}

async fn run(
    client: reqwest::Client,
    url: Url,
    backoff: Duration,
    mut rx: mpsc::Receiver<FeedbackEvent>,
) {
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(event) = rx.recv().await {
        // While every slot is busy the queue fills, and `notify` starts dropping.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            deliver(&client, &url, backoff, &event).await;
            drop(slot);
        });
    }
}

/// The wait after failed try number `attempt` (1-based): `backoff`, doubled each time.
pub fn delay(backoff: Duration, attempt: u32) -> Duration {
    backoff.saturating_mul(1 << (attempt - 1).min(16))
}

/// Sends `event` until a 2xx answer or [`TRIES`] tries. Logs carry the feedback id only:
/// never its text or contact, nor the URL (which may hold a secret).
async fn deliver(client: &reqwest::Client, url: &Url, backoff: Duration, event: &FeedbackEvent) {
    for attempt in 1..=TRIES {
        match client.post(url.clone()).json(event).send().await {
            Ok(res) if res.status().is_success() => {
                tracing::debug!(feedback = event.id, attempt, "webhook delivered");
                return;
            }
            Ok(res) => tracing::warn!(
                feedback = event.id,
                attempt,
                status = res.status().as_u16(),
                "webhook answered with an error"
            ),
            Err(e) => tracing::warn!(
                feedback = event.id,
                attempt,
                error = %e.without_url(),
                "webhook not reached"
            ),
        }
        if attempt < TRIES {
            tokio::time::sleep(delay(backoff, attempt)).await;
        }
    }
    tracing::error!(
        feedback = event.id,
        "webhook gave up after {TRIES} tries; the message is in the moderation queue"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_base() {
        let base = Duration::from_secs(1);
        let waits: Vec<u64> = (1..TRIES).map(|a| delay(base, a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8]);
    }

    #[test]
    fn only_plain_http_urls_are_taken() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let base = Duration::from_secs(1);
            assert!(Webhook::spawn("http://127.0.0.1:9/hook", base)
                .unwrap()
                .is_enabled());
            assert!(Webhook::spawn("https://example.org/hook", base).is_err());
            assert!(Webhook::spawn("ftp://example.org/hook", base).is_err());
            assert!(Webhook::spawn("not a url", base).is_err());
        });
        assert!(!Webhook::disabled().is_enabled());
    }
}
