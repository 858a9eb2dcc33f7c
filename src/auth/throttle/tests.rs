//! Throttle policy tests, driven by an explicit clock.

use super::*;

const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));
const OTHER_CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 1));

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn fail(throttle: &mut Throttle, ip: IpAddr, login: &str, times: u32, now: Instant) {
    for _ in 0..times {
        throttle.record_failure(ip, login, now);
    }
}

#[test]
fn first_failures_cost_nothing() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 3, now);
    assert_eq!(
        throttle.delay(CLIENT, "alice@example.org", now),
        Duration::ZERO
    );
}

#[test]
fn delay_doubles_with_each_further_failure_up_to_the_cap() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 3, now);
    let mut delays = Vec::new();
    for _ in 0..7 {
        throttle.record_failure(CLIENT, "alice@example.org", now);
        delays.push(throttle.delay(CLIENT, "alice@example.org", now).as_secs());
    }
    assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30]);
}

#[test]
fn huge_failure_counts_stay_at_the_cap() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 200, now);
    assert_eq!(throttle.delay(CLIENT, "alice@example.org", now), secs(30));
}

#[test]
fn failures_of_one_login_delay_it_from_any_client() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 5, now);
    assert_eq!(
        throttle.delay(OTHER_CLIENT, "Alice@Example.org", now),
        secs(2)
    );
}

#[test]
fn failures_of_one_client_delay_it_for_any_login() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    for n in 0..5 {
        throttle.record_failure(CLIENT, &format!("user{n}@example.org"), now);
    }
    assert_eq!(throttle.delay(CLIENT, "bob@example.org", now), secs(2));
    assert_eq!(
        throttle.delay(OTHER_CLIENT, "bob@example.org", now),
        Duration::ZERO
    );
}

#[test]
fn ipv6_clients_in_one_slash_64_share_a_count() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    for n in 0..5u16 {
        let ip = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, n));
        throttle.record_failure(ip, &format!("user{n}@example.org"), now);
    }
    let neighbour = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0xffff, 0, 0, 9));
    let other_network = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 2, 0, 0, 0, 1));
    assert_eq!(throttle.delay(neighbour, "x@example.org", now), secs(2));
    assert_eq!(
        throttle.delay(other_network, "x@example.org", now),
        Duration::ZERO
    );
}

#[test]
fn each_quiet_period_halves_the_count() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let start = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 8, start);
    assert_eq!(throttle.delay(CLIENT, "alice@example.org", start), secs(16));
    let later = start + secs(5 * 60);
    assert_eq!(throttle.delay(CLIENT, "alice@example.org", later), secs(1));
    let much_later = start + secs(10 * 60);
    assert_eq!(
        throttle.delay(CLIENT, "alice@example.org", much_later),
        Duration::ZERO
    );
}

#[test]
fn a_failure_after_decay_counts_from_the_decayed_value() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let start = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 8, start);
    let later = start + secs(5 * 60);
    throttle.record_failure(CLIENT, "alice@example.org", later);
    assert_eq!(throttle.delay(CLIENT, "alice@example.org", later), secs(2));
}

#[test]
fn success_clears_the_login_count_but_not_the_client_count() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    fail(&mut throttle, CLIENT, "alice@example.org", 6, now);
    throttle.record_success("ALICE@example.org");
    assert_eq!(
        throttle.delay(OTHER_CLIENT, "alice@example.org", now),
        Duration::ZERO
    );
    assert_eq!(throttle.delay(CLIENT, "bob@example.org", now), secs(4));
}

#[test]
fn tracked_keys_are_capped_and_the_oldest_evicted() {
    let settings = ThrottleSettings {
        max_tracked_keys: 4,
        free_failures: 0,
        ..ThrottleSettings::default()
    };
    let mut throttle = Throttle::new(settings);
    let start = Instant::now();
    throttle.record_failure(CLIENT, "old@example.org", start);
    for n in 1..=3u64 {
        throttle.record_failure(
            OTHER_CLIENT,
            &format!("new{n}@example.org"),
            start + secs(n),
        );
    }
    assert_eq!(throttle.tracked_keys(), 4);
    let now = start + secs(4);
    assert_eq!(
        throttle.delay(CLIENT, "nobody@example.org", now),
        Duration::ZERO
    );
    assert_eq!(
        throttle.delay(OTHER_CLIENT, "nobody@example.org", now),
        secs(4)
    );
    assert_eq!(throttle.delay(CLIENT, "new3@example.org", now), secs(1));
}

#[test]
fn keys_decayed_to_zero_are_forgotten() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let start = Instant::now();
    throttle.record_failure(CLIENT, "alice@example.org", start);
    throttle.record_failure(OTHER_CLIENT, "bob@example.org", start + secs(5 * 60));
    assert_eq!(throttle.tracked_keys(), 2);
}

#[test]
fn long_logins_are_cut_before_they_become_keys() {
    let mut throttle = Throttle::new(ThrottleSettings::default());
    let now = Instant::now();
    let long = "é".repeat(1000);
    fail(&mut throttle, CLIENT, &long, 5, now);
    let same_prefix = format!("{}tail", "é".repeat(200));
    assert_eq!(throttle.delay(OTHER_CLIENT, &same_prefix, now), secs(2));
}
