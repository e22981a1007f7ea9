//! Claims and touches: conditional on the enrolment's version, one winner, settled once.

use super::prelude::*;

/// A claim replaces the enrolment at `expected_version`: the first claim wins, a second one
/// with the same version is `AlreadyClaimed` and writes no touch and no timeline; claims of a
/// version the enrolment never had, or of an unknown enrolment, fail the same way.
pub async fn claims_are_conditional_on_the_enrolment_version(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let initial = ok(store.timeline(&tenant, &lead.id).await, "timeline");

    let at = t0() + Duration::minutes(5);
    let first_touch = new_touch(&enrolment, 0, at);
    let first_moved = advanced(&enrolment, at);
    let first = claim_of(&enrolment, first_moved.clone(), Some(first_touch.clone()), vec![entry(at, "first claim")]);
    assert_eq!(store.claim(first).await, Ok(()), "the first claim of a version must succeed");
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![first_moved.clone()],
        "a claim must replace the enrolment"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![first_touch.clone()],
        "a claim must record its touch"
    );
    let mut timeline = initial.clone();
    timeline.push(entry(at, "first claim"));
    assert_eq!(ok(store.timeline(&tenant, &lead.id).await, "timeline"), timeline, "a claim must append its entries");

    // A second runner of the same step, which also read version 1.
    let late = at + Duration::seconds(1);
    let mut second_moved = advanced(&enrolment, late);
    second_moved.next_due_at = Some(late + Duration::hours(2));
    let second = claim_of(&enrolment, second_moved, Some(new_touch(&enrolment, 0, late)), vec![entry(late, "second")]);
    assert_eq!(
        store.claim(second).await,
        Err(StoreError::AlreadyClaimed),
        "a second claim with the same expected_version must fail with AlreadyClaimed"
    );
    let mut ahead = claim_of(&first_moved, advanced(&first_moved, late), None, vec![entry(late, "ahead")]);
    ahead.expected_version = first_moved.version + 1;
    ahead.touch = Some(new_touch(&first_moved, 1, late));
    assert_eq!(
        store.claim(ahead).await,
        Err(StoreError::AlreadyClaimed),
        "a claim of a version the enrolment does not have yet must fail with AlreadyClaimed"
    );
    let unknown = new_enrolment(&lead, t0());
    let ghost =
        claim_of(&unknown, advanced(&unknown, late), Some(new_touch(&unknown, 0, late)), vec![entry(late, "ghost")]);
    assert_eq!(
        store.claim(ghost).await,
        Err(StoreError::AlreadyClaimed),
        "claiming an enrolment that does not exist must fail with AlreadyClaimed"
    );
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![first_moved.clone()],
        "failed claims must leave the winner's enrolment and create none"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![first_touch.clone()],
        "failed claims must write no touch"
    );
    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        timeline,
        "failed claims must write no timeline"
    );

    // The next version claims on, without a touch (a skipped step), and completes.
    let done = finished(&first_moved, EnrolmentStatus::Completed);
    let finish = claim_of(&first_moved, done.clone(), None, vec![entry(late, "completed")]);
    assert_eq!(store.claim(finish).await, Ok(()), "a claim of the current version must succeed");
    timeline.push(entry(late, "completed"));
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![done],
        "the claim must replace the enrolment"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![first_touch],
        "a claim without a touch must write none"
    );
    assert_eq!(ok(store.timeline(&tenant, &lead.id).await, "timeline"), timeline, "the claim must append its entry");
}

/// Two claims of the same version at the same time: exactly one wins, the other is
/// `AlreadyClaimed`, and only the winner's touch and timeline are stored.
pub async fn concurrent_claims_have_one_winner(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let initial = ok(store.timeline(&tenant, &lead.id).await, "timeline");

    let at = t0() + Duration::minutes(5);
    let racers: Vec<Claim> = ["racer a", "racer b"]
        .into_iter()
        .map(|name| {
            let mut moved = advanced(&enrolment, at);
            moved.cadence = name.to_owned();
            claim_of(&enrolment, moved, Some(new_touch(&enrolment, 0, at)), vec![entry(at, name)])
        })
        .collect();
    let (a, b) = both(store.claim(racers[0].clone()), store.claim(racers[1].clone())).await;
    let winner = match (&a, &b) {
        (Ok(()), Err(StoreError::AlreadyClaimed)) => &racers[0],
        (Err(StoreError::AlreadyClaimed), Ok(())) => &racers[1],
        other => {
            panic!("of two concurrent claims of one version exactly one must win, the other AlreadyClaimed: {other:?}")
        }
    };
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        vec![winner.enrolment.clone()],
        "the winner's enrolment must be stored"
    );
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        winner.touch.clone().into_iter().collect::<Vec<_>>(),
        "only the winner's touch must be stored"
    );
    let mut timeline = initial;
    timeline.extend(winner.timeline.iter().cloned());
    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        timeline,
        "only the winner's entries must be stored"
    );
}

/// Concurrent writes that race on one condition (an email, a phone, an idempotency key, a
/// lead id, a version): exactly one succeeds and the other gets that condition's error.
pub async fn concurrent_writes_keep_their_conditions(store: &dyn LeadStore) {
    let tenant = fresh_tenant();

    for kind in [Kind::Email, Kind::Phone] {
        let (name, contact) = (kind.name(), kind.fresh());
        let pair = [new_lead(&tenant, None, None), new_lead(&tenant, None, None)].map(|mut lead| {
            contact.put_on(&mut lead);
            lead
        });
        let what = format!("the same {name}");
        let winner = race(store, [create(&pair[0]), create(&pair[1])], StoreError::Duplicate(name), &what).await;
        assert_eq!(
            contact.owner(store, &tenant).await,
            Some(pair[winner].clone()),
            "the {name} must belong to the winner"
        );
        assert_eq!(ok(store.lead(&tenant, &pair[1 - winner].id).await, "lead"), None, "the loser must not exist");
    }

    let key = fresh_key();
    let pair = [new_lead(&tenant, None, None), new_lead(&tenant, None, None)];
    let writes =
        pair.clone().map(|l| LeadWrite { idempotency: Some(record(&key, &l, t0(), Duration::hours(1))), ..create(&l) });
    let winner = race(store, writes, StoreError::Duplicate("idempotency key"), "the same idempotency key").await;
    assert_eq!(
        ok(store.receipt(&tenant, &key, t0()).await, "receipt"),
        Some(receipt_for(&pair[winner])),
        "the key must answer with the winner's receipt"
    );
    assert_eq!(ok(store.lead(&tenant, &pair[1 - winner].id).await, "lead"), None, "the loser must not exist");

    let lead = new_lead(&tenant, None, None);
    let mut twin = lead.clone();
    twin.needs_human = true;
    let winner =
        race(store, [create(&lead), create(&twin)], StoreError::Duplicate("lead id"), "the same lead id").await;
    let stored = [lead.clone(), twin][winner].clone();
    assert_eq!(
        ok(store.lead(&tenant, &lead.id).await, "lead"),
        Some(stored.clone()),
        "the winner's lead must be stored"
    );

    let mut a = bumped(&stored);
    a.outcome = Some(OutcomeKind::Booked);
    let mut b = bumped(&stored);
    b.outcome = Some(OutcomeKind::Won);
    let pair = [a, b];
    let winner =
        race(store, [create(&pair[0]), create(&pair[1])], StoreError::Stale, "updates of the same version").await;
    assert_eq!(
        ok(store.lead(&tenant, &lead.id).await, "lead"),
        Some(pair[winner].clone()),
        "the winning update must be stored"
    );
}

/// Runs two writes at once; exactly one must succeed and the other fail with `loses`.
async fn race(store: &dyn LeadStore, writes: [LeadWrite; 2], loses: StoreError, what: &str) -> usize {
    let [a, b] = writes;
    match both(store.write_lead(a), store.write_lead(b)).await {
        (Ok(()), Err(e)) if e == loses => 0,
        (Err(e), Ok(())) if e == loses => 1,
        other => {
            panic!("of two concurrent writes with {what} exactly one must succeed, the other {loses:?}: {other:?}")
        }
    }
}

/// `record_touch` replaces the stored touch (its status) and leaves the other touches alone.
pub async fn record_touch_replaces_the_status(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let first_at = t0() + Duration::minutes(1);
    let first = new_touch(&enrolment, 0, first_at);
    let moved = advanced(&enrolment, first_at);
    assert_eq!(
        store.claim(claim_of(&enrolment, moved.clone(), Some(first.clone()), vec![])).await,
        Ok(()),
        "claiming the first step must succeed"
    );
    let second_at = t0() + Duration::minutes(2);
    let second = new_touch(&moved, 1, second_at);
    assert_eq!(
        store.claim(claim_of(&moved, advanced(&moved, second_at), Some(second.clone()), vec![])).await,
        Ok(()),
        "claiming the second step must succeed"
    );

    let sent = Touch {
        status: TouchStatus::Sent { sent_at: first_at + Duration::seconds(2), provider_id: "SM123".to_owned() },
        delivery: None,
        ..first.clone()
    };
    assert_eq!(store.record_touch(&sent).await, Ok(()), "recording a sent touch must succeed");
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![sent.clone(), second.clone()],
        "record_touch must replace that touch's status, in place, and leave the other touch alone"
    );

    let failed = Touch {
        status: TouchStatus::Failed { failed_at: second_at + Duration::seconds(3), reason: "bounced".to_owned() },
        delivery: None,
        ..second
    };
    assert_eq!(store.record_touch(&failed).await, Ok(()), "recording a failed touch must succeed");
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![sent.clone(), failed.clone()],
        "record_touch must replace the second touch's status"
    );
    assert_eq!(store.record_touch(&sent).await, Ok(()), "recording the same status again must succeed");
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![sent, failed],
        "recording the same status again must not add a touch"
    );
}

/// `settle_touch` replaces a touch only while its status is the one expected: of two settles
/// at once from the same status exactly one wins; a status that moved on, or a touch that
/// does not exist, answers false and writes nothing.
pub async fn a_touch_is_settled_only_from_the_status_it_has(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let at = t0() + Duration::minutes(1);
    let claimed = new_touch(&enrolment, 0, at);
    assert_eq!(
        store.claim(claim_of(&enrolment, advanced(&enrolment, at), Some(claimed.clone()), vec![])).await,
        Ok(()),
        "claiming the step must succeed"
    );

    // Two deliveries find it claimed and both try to take the resend.
    let resends = [1, 2].map(|s| Touch {
        status: TouchStatus::Resending { since: at + Duration::seconds(61) + Duration::microseconds(s) },
        ..claimed.clone()
    });
    let (a, b) = both(
        store.settle_touch(&resends[0], &TouchStatus::Claimed, None),
        store.settle_touch(&resends[1], &TouchStatus::Claimed, None),
    )
    .await;
    let taken = match (a, b) {
        (Ok(true), Ok(false)) => &resends[0],
        (Ok(false), Ok(true)) => &resends[1],
        other => panic!("of two settles from the same status exactly one must win: {other:?}"),
    };
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        vec![taken.clone()],
        "the winner's status must be stored"
    );

    let uncertain = Touch {
        status: TouchStatus::Uncertain { since: at + Duration::minutes(5), reason: "late".to_owned() },
        ..claimed.clone()
    };
    assert_eq!(
        store.settle_touch(&uncertain, &TouchStatus::Claimed, None).await,
        Ok(false),
        "a touch no longer claimed must not be settled from claimed"
    );
    let other_since = TouchStatus::Resending { since: at + Duration::minutes(9) };
    assert_eq!(
        store.settle_touch(&uncertain, &other_since, None).await,
        Ok(false),
        "a resend taken at another instant is another status: nothing may be settled from it"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![taken.clone()], "nothing must change");

    let sent = Touch {
        status: TouchStatus::Sent { sent_at: at + Duration::minutes(2), provider_id: "SM9".to_owned() },
        ..claimed.clone()
    };
    assert_eq!(
        store.settle_touch(&sent, &taken.status, None).await,
        Ok(true),
        "settling from the stored status must succeed"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![sent], "the settled status must be stored");

    let stranger = new_touch(&enrolment, 1, at);
    assert_eq!(
        store.settle_touch(&stranger, &TouchStatus::Claimed, None).await,
        Ok(false),
        "a touch that was never claimed must not be settled"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches").len(), 1, "nor created by settling it");
}

/// A touch settled `unless_opted_out` its number is refused (`NumberOptedOut`, nothing
/// written) once the number has an opt-out record: a resend never goes out after a STOP.
pub async fn a_touch_is_not_settled_for_a_number_that_opted_out(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let phone = lead.profile.phone.clone().expect("the fixture has a phone");
    let at = t0() + Duration::minutes(1);
    let claimed = new_touch(&enrolment, 0, at);
    assert_eq!(
        store.claim(claim_of(&enrolment, advanced(&enrolment, at), Some(claimed.clone()), vec![])).await,
        Ok(()),
        "claiming the step must succeed"
    );
    let stop = OptOutRecord::by_message(at, Channel::Sms, "STOP".to_owned());
    assert_eq!(store.record_number_opt_out(&tenant, &phone, &stop).await, Ok(true), "the STOP is recorded");

    let resend = Touch { status: TouchStatus::Resending { since: at + Duration::minutes(2) }, ..claimed.clone() };
    assert_eq!(
        store.settle_touch(&resend, &TouchStatus::Claimed, Some(&phone)).await,
        Err(StoreError::NumberOptedOut),
        "a resend after the number's STOP must be refused"
    );
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![claimed.clone()], "nothing is written");
    let failed = Touch {
        status: TouchStatus::Failed { failed_at: at + Duration::minutes(2), reason: "opted out".to_owned() },
        ..claimed.clone()
    };
    assert_eq!(
        store.settle_touch(&failed, &TouchStatus::Claimed, None).await,
        Ok(true),
        "settling without the condition (recording it failed) still goes through"
    );
}
