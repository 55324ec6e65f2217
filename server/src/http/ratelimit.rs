//! Per-client limits on POSTs, so one client cannot flood the writer: `governor`'s keyed
//! GCRA limiter (a concurrent map, no global lock), keyed by [`ClientKey`].

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often the keys of clients whose budget is full again are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Whose budget a request spends: an IPv4 address, or an IPv6 /64 — one subscriber's
/// network, since a single host can pick any address in its /64 at will.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(Ipv4Addr),
    /// The upper 64 bits of the address.
    V6Net(u64),
}

impl ClientKey {
    /// The key of `ip`; an IPv4-mapped IPv6 address (a dual-stack socket) is its IPv4.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => ClientKey::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::V4(v4),
                None => ClientKey::V6Net((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

/// A rate limit per [`ClientKey`].
pub struct RateLimiter {
    /// `None` when the rate is 0 (no limit).
    limiter: Option<Arc<DefaultKeyedRateLimiter<ClientKey>>>,
}

impl RateLimiter {
    /// `rate` requests a second sustained, `burst` at once; a rate of 0 allows everything.
    pub fn new(rate: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(rate).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
            Arc::new(DefaultKeyedRateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        RateLimiter { limiter }
    }

    /// Takes one request from `addr`'s budget; `Err(seconds)` says how long until the
    /// next is allowed (at least 1).
    pub fn check(&self, addr: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(&ClientKey::of(addr))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                wait.as_secs_f64().ceil().max(1.0) as u64
            })
    }

    /// Starts the background task that forgets clients whose budget is full again, so the
    /// map holds only recent clients. It ends when the limiter is dropped.
    pub fn spawn_sweeper(&self) {
        let Some(limiter) = &self.limiter else {
            return;
        };
        let weak: Weak<_> = Arc::downgrade(limiter);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(limiter) = weak.upgrade() else {
                    return;
                };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn burst_then_limited_per_ipv4_address() {
        let limiter = RateLimiter::new(1, 3);
        for _ in 0..3 {
            assert_eq!(limiter.check(ip("192.0.2.1")), Ok(()));
        }
        assert_eq!(limiter.check(ip("192.0.2.1")), Err(1));
        assert_eq!(limiter.check(ip("192.0.2.2")), Ok(()));
        // The same IPv4 through a dual-stack socket shares its budget.
        assert_eq!(limiter.check(ip("::ffff:192.0.2.1")), Err(1));
    }

    #[test]
    fn one_ipv6_64_shares_a_budget_and_others_do_not() {
        let limiter = RateLimiter::new(1, 2);
        assert_eq!(limiter.check(ip("2001:db8:1:2::1")), Ok(()));
        assert_eq!(limiter.check(ip("2001:db8:1:2:ffff::9")), Ok(()));
        assert_eq!(limiter.check(ip("2001:db8:1:2:abcd::1")), Err(1));
        assert_eq!(limiter.check(ip("2001:db8:1:3::1")), Ok(()));
    }

    #[test]
    fn zero_rate_disables_the_limit() {
        let limiter = RateLimiter::new(0, 1);
        for _ in 0..1000 {
            assert_eq!(limiter.check(ip("192.0.2.1")), Ok(()));
        }
    }
}
