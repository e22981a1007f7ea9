//! Listings and their order: enrolments, active enrolments, touches, the timeline.

use super::prelude::*;

/// A lead's enrolments come back oldest first, whatever order they were written in.
pub async fn enrolments_are_oldest_first(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let mut enrolments = oldest_first_enrolments(&lead, 3);
    // A reminders enrolment carries its booked slot, and must read back with it.
    enrolments[1].anchor_at = Some(t0() + Duration::days(3));
    // A triggered enrolment carries its trigger's wait and condition, and must read back with them.
    let unless = Some(Guard::parse("clicked", true).expect("a guard"));
    enrolments[2].gate = Some(Gate { opens_at: t0() + Duration::hours(4), unless });
    let write = LeadWrite {
        enrolments: [&enrolments[2], &enrolments[0]]
            .map(|e| EnrolmentWrite { enrolment: e.clone(), expected_version: None })
            .to_vec(),
        ..create(&lead)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a lead with two enrolments must succeed");
    let later = LeadWrite {
        enrolments: vec![EnrolmentWrite { enrolment: enrolments[1].clone(), expected_version: None }],
        ..create(&bumped(&lead))
    };
    assert_eq!(store.write_lead(later).await, Ok(()), "adding an enrolment on update must succeed");
    assert_eq!(
        ok(store.enrolments(&tenant, &lead.id).await, "enrolments"),
        enrolments,
        "enrolments() must list the lead's enrolments oldest first"
    );
    let other = new_lead(&tenant, None, None);
    assert_eq!(
        ok(store.enrolments(&tenant, &other.id).await, "enrolments"),
        vec![],
        "a lead without enrolments has none"
    );
}

/// `active_enrolments` lists the tenant's active enrolments, across leads, in their current
/// version, and none that stopped or completed.
pub async fn active_enrolments_are_the_tenants_active_ones(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let first = new_lead(&tenant, Some(fresh_email()), None);
    let [running, to_stop, mut done] = <[Enrolment; 3]>::try_from(oldest_first_enrolments(&first, 3)).expect("three");
    done.status = EnrolmentStatus::Completed;
    done.next_due_at = None;
    let write = LeadWrite {
        enrolments: [&running, &to_stop, &done]
            .map(|e| EnrolmentWrite { enrolment: e.clone(), expected_version: None })
            .to_vec(),
        ..create(&first)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a lead with three enrolments must succeed");
    let (_, second_enrolment) = lead_with_enrolment(store, &tenant).await;

    let stop = claim_of(&to_stop, finished(&to_stop, EnrolmentStatus::Stopped(StopReason::OptedOut)), None, vec![]);
    assert_eq!(store.claim(stop).await, Ok(()), "stopping an enrolment must succeed");
    let moved = advanced(&second_enrolment, t0() + Duration::minutes(1));
    assert_eq!(
        store.claim(claim_of(&second_enrolment, moved.clone(), None, vec![])).await,
        Ok(()),
        "claiming a step must succeed"
    );

    let mut active = ok(store.active_enrolments(&tenant).await, "active_enrolments");
    active.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = vec![running, moved];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        active, expected,
        "active_enrolments() must list exactly the tenant's active enrolments, as last written"
    );
    assert_eq!(
        ok(store.active_enrolments(&fresh_tenant()).await, "active_enrolments"),
        vec![],
        "a tenant without enrolments has no active ones"
    );
}

/// A lead's touches come back oldest first, whatever order they were written in.
pub async fn touches_are_oldest_first(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let (lead, enrolment) = lead_with_enrolment(store, &tenant).await;
    let mut ids: Vec<TouchId> = (0..3).map(|_| TouchId::new()).collect();
    ids.sort();
    let touches: Vec<Touch> = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| Touch { id, ..new_touch(&enrolment, i, t0() + Duration::minutes(i as i64)) })
        .collect();

    let mut current = enrolment;
    for touch in [&touches[2], &touches[0], &touches[1]] {
        let moved = advanced(&current, touch.claimed_at);
        assert_eq!(
            store.claim(claim_of(&current, moved.clone(), Some(touch.clone()), vec![])).await,
            Ok(()),
            "claiming a step must succeed"
        );
        current = moved;
    }
    assert_eq!(
        ok(store.touches(&tenant, &lead.id).await, "touches"),
        touches,
        "touches() must list the lead's touches oldest first"
    );
}

/// A lead's timeline is every entry from `write_lead`, `claim` and `append_timeline`, in the
/// order they were written, even when many share a timestamp; other leads' entries stay out.
pub async fn the_timeline_keeps_insertion_order(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let lead = new_lead(&tenant, Some(fresh_email()), None);
    let enrolment = new_enrolment(&lead, t0());
    let mut expected = vec![entry(t0(), "received"), entry(t0(), "enrolled")];
    let write = LeadWrite {
        enrolments: vec![EnrolmentWrite { enrolment: enrolment.clone(), expected_version: None }],
        timeline: expected.clone(),
        ..create(&lead)
    };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating the lead must succeed");
    let neighbour = new_lead(&tenant, None, None);
    let neighbour_entries = vec![entry(t0(), "neighbour received")];
    let write = LeadWrite { timeline: neighbour_entries.clone(), ..create(&neighbour) };
    assert_eq!(store.write_lead(write).await, Ok(()), "creating a second lead must succeed");

    // More than ten entries at the same instant, so that order cannot come from the time or
    // from a sequence number compared as text.
    let mut notes: Vec<TimelineEntry> = (0..12).map(|i| entry(t0(), &format!("note {i}"))).collect();
    notes.push(TimelineEntry {
        at: t0(),
        kind: TimelineKind::Outcome { outcome: OutcomeKind::Booked, slot: Some(t0() + Duration::days(3)) },
    });
    notes.push(TimelineEntry {
        at: t0(),
        kind: TimelineKind::LinkClicked { url: "https://calendly.com/acme/intro".to_owned(), booking: true },
    });
    assert_eq!(store.append_timeline(&tenant, &lead.id, &notes).await, Ok(()), "append_timeline must succeed");
    expected.extend(notes);
    let one_more = [entry(t0(), "neighbour note")];
    assert_eq!(store.append_timeline(&tenant, &neighbour.id, &one_more).await, Ok(()), "append_timeline must succeed");

    let claimed = entry(t0(), "claimed");
    let claim = claim_of(&enrolment, advanced(&enrolment, t0()), None, vec![claimed.clone()]);
    assert_eq!(store.claim(claim).await, Ok(()), "claiming must succeed");
    expected.push(claimed);
    assert_eq!(store.append_timeline(&tenant, &lead.id, &[]).await, Ok(()), "appending nothing must succeed");

    let later = t0() + Duration::minutes(1);
    let merged = entry(later, "merged");
    let write = LeadWrite { timeline: vec![merged.clone()], ..create(&bumped(&lead)) };
    assert_eq!(store.write_lead(write).await, Ok(()), "updating the lead must succeed");
    expected.push(merged);
    let last = [entry(later, "last a"), entry(later, "last b")];
    assert_eq!(store.append_timeline(&tenant, &lead.id, &last).await, Ok(()), "append_timeline must succeed");
    expected.extend(last);

    assert_eq!(
        ok(store.timeline(&tenant, &lead.id).await, "timeline"),
        expected,
        "timeline() must return every entry of the lead once, in insertion order"
    );
    let mut neighbour_expected = neighbour_entries;
    neighbour_expected.extend(one_more);
    assert_eq!(
        ok(store.timeline(&tenant, &neighbour.id).await, "timeline"),
        neighbour_expected,
        "another lead's timeline must hold only its own entries"
    );
}
