//! Which variant a lead sees: a hash, not a draw, so the answer is the same every time it is
//! asked (sticky across retries, processes and runtimes) and each source splits by the
//! weights on its own (the source is hashed in: stratified assignment).

use super::Variant;
use crate::domain::{LeadId, TenantId};
use sha2::{Digest, Sha256};

/// The variant of `variants` (non-empty, positive weights) that `lead` from `source` sees in
/// `experiment`.
pub fn assign<'v>(
    tenant: &TenantId,
    experiment: &str,
    source: &str,
    lead: &LeadId,
    variants: &'v [Variant],
) -> &'v Variant {
    let mut hash = Sha256::new();
    for part in [tenant.as_str(), experiment, source, lead.as_str()] {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") hash apart.
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let draw = u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 digest has 8 bytes"));
    let total: u64 = variants.iter().map(|v| u64::from(v.weight)).sum();
    // The top bits scaled into [0, total): uniform to within total / 2^64.
    let mut point = ((u128::from(draw) * u128::from(total)) >> 64) as u64;
    for variant in variants {
        if point < u64::from(variant.weight) {
            return variant;
        }
        point -= u64::from(variant.weight);
    }
    variants.last().expect("an experiment has variants")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(weights: &[u32]) -> Vec<Variant> {
        weights.iter().enumerate().map(|(i, w)| Variant { template: format!("t{i}"), weight: *w }).collect()
    }

    fn tenant() -> TenantId {
        TenantId::parse("demo").unwrap()
    }

    #[test]
    fn a_lead_always_gets_the_same_variant() {
        let arms = variants(&[1, 1, 1]);
        for _ in 0..100 {
            let lead = LeadId::new();
            let first = assign(&tenant(), "first_text", "web", &lead, &arms);
            for _ in 0..5 {
                assert_eq!(assign(&tenant(), "first_text", "web", &lead, &arms), first);
            }
        }
    }

    #[test]
    fn the_same_lead_id_gives_the_same_answer_from_its_text_form() {
        let lead = LeadId::new();
        let again = LeadId::parse(lead.as_str()).unwrap();
        let arms = variants(&[3, 2]);
        assert_eq!(assign(&tenant(), "x", "web", &lead, &arms), assign(&tenant(), "x", "web", &again, &arms));
    }

    /// Over 10,000 leads of each source, every arm's share is within 2 points of its weight's
    /// (the binomial's standard deviation at 10,000 is under 0.5 points).
    #[test]
    fn weights_are_respected_within_each_source() {
        let arms = variants(&[1, 3]);
        for source in ["facebook", "google", "website"] {
            let mut counts = [0u32; 2];
            for _ in 0..10_000 {
                let lead = LeadId::new();
                let arm = assign(&tenant(), "first_text", source, &lead, &arms);
                counts[usize::from(arm.template == "t1")] += 1;
            }
            let share = f64::from(counts[0]) / 10_000.0;
            assert!((share - 0.25).abs() < 0.02, "{source}: {counts:?}");
        }
    }

    /// Stratified: a lead's arm in one source tells nothing about its arm in another (each
    /// source is its own split), and one experiment's split is not another's.
    #[test]
    fn sources_and_experiments_split_independently() {
        let arms = variants(&[1, 1]);
        let leads: Vec<LeadId> = (0..10_000).map(|_| LeadId::new()).collect();
        let arm_in = |experiment: &str, source: &str, lead: &LeadId| {
            assign(&tenant(), experiment, source, lead, &arms).template == "t0"
        };
        let same_source = leads.iter().filter(|l| arm_in("a", "web", l) == arm_in("a", "google", l)).count();
        let same_experiment = leads.iter().filter(|l| arm_in("a", "web", l) == arm_in("b", "web", l)).count();
        for agreeing in [same_source, same_experiment] {
            assert!((4_700..=5_300).contains(&agreeing), "{agreeing} of 10,000 agree: not independent");
        }
    }
}
