//! Rate limits per client address and per account (GCRA, `governor`): a client or an
//! account sending faster than its rate, beyond a burst of twice that, is answered 429
//! `RATE_LIMITED` with `retryAfter` (and `Retry-After`) until its rate allows again.
//! The client address is the TCP peer's: behind a reverse proxy, every request comes from
//! the proxy, so there the per-address limit belongs to the proxy (set it to 0 here).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Checks between two clean-ups of the keys no longer limited.
const CLEAN_EVERY: u64 = 10_000;

pub struct RateLimits {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_account: Option<DefaultKeyedRateLimiter<Uuid>>,
    checks: AtomicU64,
}

fn limiter<K: Clone + Hash + Eq>(per_second: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    let rate = NonZeroU32::new(per_second)?;
    let burst = NonZeroU32::new(per_second.saturating_mul(2)).unwrap_or(rate);
    Some(DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)))
}

fn check<K: Clone + Hash + Eq>(l: &Option<DefaultKeyedRateLimiter<K>>, key: &K) -> Result<(), u64> {
    let Some(l) = l else { return Ok(()) };
    l.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
}

impl RateLimits {
    /// Requests per second per client address and per account; 0 turns one off.
    pub fn new(per_ip: u32, per_account: u32) -> Self {
        Self { per_ip: limiter(per_ip), per_account: limiter(per_account), checks: AtomicU64::new(0) }
    }

    fn tick(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % CLEAN_EVERY == CLEAN_EVERY - 1 {
            if let Some(l) = &self.per_ip {
                l.retain_recent();
            }
            if let Some(l) = &self.per_account {
                l.retain_recent();
            }
        }
    }

    /// `Err(seconds to wait)` when the address is over its rate.
    pub fn check_ip(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        self.tick();
        ip.map_or(Ok(()), |ip| check(&self.per_ip, &ip))
    }

    /// `Err(seconds to wait)` when the account is over its rate.
    pub fn check_account(&self, account: Uuid) -> Result<(), u64> {
        check(&self.per_account, &account)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_burst_then_a_wait() {
        let l = super::RateLimits::new(1, 0);
        let ip = Some("127.0.0.1".parse().unwrap());
        assert!(l.check_ip(ip).is_ok() && l.check_ip(ip).is_ok(), "a burst of two");
        assert_eq!(l.check_ip(ip), Err(1));
        assert!(l.check_ip(Some("127.0.0.2".parse().unwrap())).is_ok(), "per address");
        assert!(l.check_account(uuid::Uuid::nil()).is_ok(), "off");
    }
}
