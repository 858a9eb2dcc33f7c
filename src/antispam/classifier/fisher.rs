//! Gary Robinson's token probabilities combined with Fisher's method
//! (the chi-square combination SpamBayes and Bogofilter use): each token's
//! spam probability is smoothed toward a prior by how often it was seen,
//! the most telling tokens are kept, and two inverse chi-square tests, one
//! for spamminess and one for hamminess, give the message's probability.

/// How strongly an unseen or rare token is pulled toward `PRIOR`.
const STRENGTH: f64 = 1.0;
/// What a token never seen is worth: neutral.
const PRIOR: f64 = 0.5;
/// Tokens closer than this to 0.5 say too little to use.
const MIN_DEVIATION: f64 = 0.1;
/// At most this many of the most extreme tokens are combined.
const MAX_CLUES: usize = 150;

/// What the model knows about one token: in how many trained spam and ham
/// messages it occurred.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    pub spam: u64,
    pub ham: u64,
}

/// How many messages of each kind the model was trained on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub spam: u64,
    pub ham: u64,
}

/// Robinson's f(w): the token's spam probability, smoothed.
pub fn token_probability(counts: TokenCounts, totals: Totals) -> f64 {
    let spam_ratio = counts.spam as f64 / totals.spam.max(1) as f64;
    let ham_ratio = counts.ham as f64 / totals.ham.max(1) as f64;
    let seen = (counts.spam + counts.ham) as f64;
    let raw = if spam_ratio + ham_ratio > 0.0 {
        spam_ratio / (spam_ratio + ham_ratio)
    } else {
        PRIOR
    };
    (STRENGTH * PRIOR + seen * raw) / (STRENGTH + seen)
}

/// The message's spam probability from its tokens' probabilities; 0.5 when
/// no token says anything.
pub fn combine(probabilities: impl IntoIterator<Item = f64>) -> f64 {
    let mut clues: Vec<f64> = probabilities
        .into_iter()
        .filter(|p| (p - 0.5).abs() >= MIN_DEVIATION)
        .map(|p| p.clamp(1e-6, 1.0 - 1e-6))
        .collect();
    if clues.is_empty() {
        return 0.5;
    }
    clues.sort_by(|a, b| (b - 0.5).abs().total_cmp(&(a - 0.5).abs()));
    clues.truncate(MAX_CLUES);
    let n = clues.len();
    let spam_log: f64 = clues.iter().map(|p| (1.0 - p).ln()).sum();
    let ham_log: f64 = clues.iter().map(|p| p.ln()).sum();
    let spamminess = 1.0 - chi2_tail(-2.0 * spam_log, 2 * n);
    let hamminess = 1.0 - chi2_tail(-2.0 * ham_log, 2 * n);
    ((spamminess - hamminess + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// P(X >= chi2) for a chi-square variable with an even number of degrees of
/// freedom, by the Poisson series (computed in log space so a large
/// statistic does not underflow the first term).
fn chi2_tail(chi2: f64, degrees: usize) -> f64 {
    let m = chi2 / 2.0;
    if m <= 0.0 {
        return 1.0;
    }
    let mut log_term = -m;
    let mut sum = log_term.exp();
    for i in 1..degrees / 2 {
        log_term += m.ln() - (i as f64).ln();
        sum += log_term.exp();
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unseen_token_is_neutral() {
        let p = token_probability(TokenCounts::default(), Totals { spam: 10, ham: 10 });
        assert!((p - 0.5).abs() < 1e-9);
    }

    #[test]
    fn spam_only_token_leans_spam() {
        let counts = TokenCounts { spam: 9, ham: 0 };
        assert!(token_probability(counts, Totals { spam: 10, ham: 10 }) > 0.9);
    }

    #[test]
    fn spammy_clues_combine_near_one_and_hammy_near_zero() {
        assert!(combine([0.99; 20]) > 0.99);
        assert!(combine([0.01; 20]) < 0.01);
        assert!((combine([0.5, 0.55]) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn chi2_tail_of_zero_is_one() {
        assert!((chi2_tail(0.0, 10) - 1.0).abs() < 1e-12);
        assert!(chi2_tail(10_000.0, 10) < 1e-100);
    }
}
