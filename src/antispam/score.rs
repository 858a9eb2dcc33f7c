//! Combining the evidence into one score: the classifier's probability
//! mapped onto points, plus the rules that matched. Above the threshold the
//! message is spam; the RFC 5235 `spamtest` and `:percent` values are
//! derived from the score relative to the threshold.
//!
//! Blocking (the classifier reads SQLite): run on the blocking pool.

use crate::antispam::classifier::{Classifier, ClassifierError, tokenize};
use crate::antispam::message::Scanned;
use crate::antispam::rules;
use crate::delivery::SpamVerdict;
use crate::store::AccountId;

/// Points the classifier gives at probability 1 (and takes at 0).
const BAYES_POINTS: f64 = 8.0;

/// One piece of evidence, as X-Spam-Status lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub name: String,
    pub score: f64,
}

/// The score of one message with what made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub score: f64,
    /// The classifier's spam probability, `None` while it is untrained.
    pub probability: Option<f64>,
    pub reasons: Vec<Reason>,
}

/// The score above which mail is spam, and above which SMTP may refuse it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub spam: f64,
    /// `None`: never refused at SMTP time (the default).
    pub reject: Option<f64>,
}

impl Analysis {
    pub fn verdict(&self, thresholds: Thresholds) -> SpamVerdict {
        let threshold = thresholds.spam.max(0.1);
        // The threshold maps to 50 %, twice the threshold to 100 %.
        let percent = (50.0 + 50.0 * (self.score - threshold) / threshold).clamp(0.0, 100.0);
        SpamVerdict {
            score: self.score,
            is_spam: self.score >= thresholds.spam,
            // RFC 5235 §3.2: 1 is certainly not spam, 10 certainly spam.
            spamtest: (1.0 + (percent * 9.0 / 100.0).round()) as u8,
            percent: percent.round() as u8,
        }
    }

    /// Adds evidence found elsewhere (sender authentication) to the score.
    pub fn with_reasons(mut self, extra: Vec<Reason>) -> Self {
        self.score += extra.iter().map(|r| r.score).sum::<f64>();
        self.reasons.extend(extra);
        self
    }

    /// `Yes, score=7.2 required=5.0 tests=BAYES_99,HTML_ONLY`.
    pub fn status_line(&self, thresholds: Thresholds) -> String {
        let verdict = if self.score >= thresholds.spam {
            "Yes"
        } else {
            "No"
        };
        let tests: Vec<&str> = self.reasons.iter().map(|r| r.name.as_str()).collect();
        let tests = if tests.is_empty() {
            "none".to_owned()
        } else {
            tests.join(",")
        };
        format!(
            "{verdict}, score={:.1} required={:.1} tests={tests}",
            self.score, thresholds.spam
        )
    }
}

/// Scores the raw message (already bounded) for `account`.
pub fn analyse(
    classifier: &Classifier,
    account: Option<AccountId>,
    raw: &[u8],
) -> Result<Analysis, ClassifierError> {
    let Some(scanned) = Scanned::parse(raw) else {
        return Ok(Analysis {
            score: 0.0,
            probability: None,
            reasons: Vec::new(),
        });
    };
    let tokens = tokenize(&scanned);
    let probability = classifier.spam_probability(account, &tokens)?;
    let mut reasons = Vec::new();
    if let Some(p) = probability {
        reasons.push(Reason {
            name: bayes_name(p).to_owned(),
            score: BAYES_POINTS * (2.0 * p - 1.0),
        });
    }
    for rule in rules::check(&scanned) {
        reasons.push(Reason {
            name: rule.name.to_owned(),
            score: rule.score,
        });
    }
    Ok(Analysis {
        score: reasons.iter().map(|r| r.score).sum(),
        probability,
        reasons,
    })
}

/// The classifier's bucket, named as SpamAssassin names them.
fn bayes_name(p: f64) -> &'static str {
    match p {
        p if p >= 0.99 => "BAYES_99",
        p if p >= 0.9 => "BAYES_90",
        p if p >= 0.6 => "BAYES_60",
        p if p > 0.4 => "BAYES_50",
        p if p > 0.1 => "BAYES_20",
        p if p > 0.01 => "BAYES_05",
        _ => "BAYES_00",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(score: f64) -> Analysis {
        Analysis {
            score,
            probability: None,
            reasons: vec![Reason {
                name: "HTML_ONLY".to_owned(),
                score,
            }],
        }
    }

    const THRESHOLDS: Thresholds = Thresholds {
        spam: 5.0,
        reject: None,
    };

    #[test]
    fn threshold_is_fifty_percent() {
        let verdict = analysis(5.0).verdict(THRESHOLDS);
        assert!(verdict.is_spam);
        assert_eq!(verdict.percent, 50);
        assert_eq!(analysis(-3.0).verdict(THRESHOLDS).spamtest, 1);
        assert_eq!(analysis(12.0).verdict(THRESHOLDS).spamtest, 10);
    }

    #[test]
    fn status_line_lists_tests() {
        assert_eq!(
            analysis(6.0).status_line(THRESHOLDS),
            "Yes, score=6.0 required=5.0 tests=HTML_ONLY"
        );
    }
}
