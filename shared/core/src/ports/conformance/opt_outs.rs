//! A number's opt-out: its first evidence kept, and writes made `unless_opted_out` it refused.

use super::prelude::*;

/// A number's opt-out: recorded once with its evidence (a second record, even a concurrent
/// one, answers false and changes nothing), per tenant, and lifted by an opt-in.
pub async fn a_number_opt_out_keeps_its_first_evidence_until_lifted(store: &dyn LeadStore) {
    let (tenant, other, phone) = (fresh_tenant(), fresh_tenant(), fresh_phone());
    let record = |message: &str, minutes| {
        OptOutRecord::by_message(t0() + Duration::minutes(minutes), Channel::Sms, message.to_owned())
    };
    assert_eq!(store.number_opt_out(&tenant, &phone).await, Ok(None), "a number starts opted in");
    assert_eq!(store.lift_number_opt_out(&tenant, &phone).await, Ok(false), "lifting nothing answers false");

    let (a, b) = both(
        store.record_number_opt_out(&tenant, &phone, &record("STOP", 0)),
        store.record_number_opt_out(&tenant, &phone, &record("stop texting me", 0)),
    )
    .await;
    assert!(matches!((&a, &b), (Ok(true), Ok(false)) | (Ok(false), Ok(true))), "exactly one first record: {a:?} {b:?}");
    let first = store.number_opt_out(&tenant, &phone).await.expect("readable").expect("opted out");
    assert!(["STOP", "stop texting me"].contains(&first.message.as_str()), "the evidence is kept: {first:?}");
    assert_eq!(first.at, t0(), "the evidence keeps its time");

    assert_eq!(store.record_number_opt_out(&tenant, &phone, &record("QUIT", 5)).await, Ok(false));
    assert_eq!(store.number_opt_out(&tenant, &phone).await, Ok(Some(first)), "a later STOP keeps the first record");
    assert_eq!(store.number_opt_out(&other, &phone).await, Ok(None), "an opt-out belongs to one tenant");

    assert_eq!(store.lift_number_opt_out(&tenant, &phone).await, Ok(true), "lifting answers that there was one");
    assert_eq!(store.number_opt_out(&tenant, &phone).await, Ok(None), "lifted");
    assert_eq!(store.record_number_opt_out(&tenant, &phone, &record("STOP", 9)).await, Ok(true), "opts out again");
}

/// A lead write or a claim made `unless_opted_out` a number fails with `NumberOptedOut` once
/// that number has an opt-out record, and leaves nothing; without the record (or for another
/// tenant's, or once lifted) it succeeds.
pub async fn writes_unless_opted_out_fail_once_the_number_opted_out(store: &dyn LeadStore) {
    let (tenant, other) = (fresh_tenant(), fresh_tenant());
    let phone = fresh_phone();
    let stop = OptOutRecord::by_message(t0(), Channel::Sms, "STOP".to_owned());
    assert_eq!(store.record_number_opt_out(&other, &phone, &stop).await, Ok(true), "another tenant's STOP");

    let lead = new_lead(&tenant, Some(fresh_email()), Some(phone.clone()));
    let (lead, enrolment) = {
        let write = LeadWrite { unless_opted_out: Some(phone.clone()), ..full_write(&lead) };
        let enrolment = write.enrolments[0].enrolment.clone();
        assert_eq!(store.write_lead(write).await, Ok(()), "a number without an opt-out record may be written");
        (lead, enrolment)
    };

    assert_eq!(store.record_number_opt_out(&tenant, &phone, &stop).await, Ok(true), "the STOP is recorded");
    let merged = bumped(&lead);
    let refused = LeadWrite { unless_opted_out: Some(phone.clone()), ..full_write(&merged) };
    assert_eq!(store.write_lead(refused).await, Err(StoreError::NumberOptedOut), "a write after the STOP fails");
    assert_eq!(ok(store.lead(&tenant, &lead.id).await, "lead"), Some(lead.clone()), "the refused write left nothing");
    assert_eq!(ok(store.enrolments(&tenant, &lead.id).await, "enrolments"), vec![enrolment.clone()]);

    let at = t0() + Duration::minutes(1);
    let touch = new_touch(&enrolment, 0, at);
    let claim = Claim {
        unless_opted_out: Some(phone.clone()),
        ..claim_of(&enrolment, advanced(&enrolment, at), Some(touch), vec![entry(at, "claimed")])
    };
    assert_eq!(store.claim(claim.clone()).await, Err(StoreError::NumberOptedOut), "a claim after the STOP fails");
    assert_eq!(ok(store.touches(&tenant, &lead.id).await, "touches"), vec![], "the refused claim left no touch");
    assert_eq!(
        store.claim(Claim { unless_opted_out: None, touch: None, ..claim.clone() }).await,
        Ok(()),
        "a claim not conditional on the number (an email, a skip) still goes through"
    );

    assert_eq!(store.lift_number_opt_out(&tenant, &phone).await, Ok(true), "START lifts it");
    let write = LeadWrite { unless_opted_out: Some(phone.clone()), ..create(&merged) };
    assert_eq!(store.write_lead(write).await, Ok(()), "once lifted, the number may be written again");
}

/// A STOP and the intake of its number at the same moment never miss each other: either the
/// lead write (made `unless_opted_out`) fails, or the STOP, looking the number up after its
/// record is stored, finds the lead. Many pairs, each started together.
pub async fn an_opt_out_and_a_lead_write_at_once_never_miss_each_other(store: &dyn LeadStore) {
    let tenant = fresh_tenant();
    let stop = OptOutRecord::by_message(t0(), Channel::Sms, "STOP".to_owned());
    for _ in 0..25 {
        let phone = fresh_phone();
        let lead = new_lead(&tenant, Some(fresh_email()), Some(phone.clone()));
        let opt_out = async {
            let recorded = store.record_number_opt_out(&tenant, &phone, &stop).await;
            (recorded, store.lead_by_phone(&tenant, &phone).await)
        };
        let write = store.write_lead(LeadWrite { unless_opted_out: Some(phone.clone()), ..full_write(&lead) });
        let ((recorded, found), written) = both(opt_out, write).await;
        assert_eq!(recorded, Ok(true), "the STOP is recorded");
        let found = ok(found, "lead_by_phone");
        match written {
            Ok(()) => {
                assert_eq!(found.map(|l| l.id), Some(lead.id), "a lead written before the STOP's record is found")
            }
            Err(StoreError::NumberOptedOut) => assert_eq!(found, None, "a refused lead is not stored"),
            Err(e) => panic!("the lead write may only succeed or find the opt-out: {e:?}"),
        }
    }
}

/// The do-not-contact list: a number put on it is opted out (a STOP's evidence, if it had one,
/// is kept), a START does not take it off, putting it on again answers false, and writes made
/// `unless_opted_out` fail for it as for a STOP.
pub async fn a_number_on_the_dnc_list_stays_opted_out_whatever_it_texts(store: &dyn LeadStore) {
    let (tenant, listed, stopped) = (fresh_tenant(), fresh_phone(), fresh_phone());
    let listing = OptOutRecord { dnc: true, ..OptOutRecord::by_message(t0(), Channel::Sms, "DNC list".to_owned()) };
    assert_eq!(store.add_to_dnc(&tenant, &listed, &listing).await, Ok(true), "a new number goes on the list");
    assert_eq!(store.add_to_dnc(&tenant, &listed, &listing).await, Ok(false), "once");
    assert_eq!(store.number_opt_out(&tenant, &listed).await, Ok(Some(listing.clone())));
    assert_eq!(store.lift_number_opt_out(&tenant, &listed).await, Ok(false), "a START does not lift the DNC");
    assert!(ok(store.number_opt_out(&tenant, &listed).await, "number_opt_out").is_some_and(|r| r.dnc));

    // A number that texted STOP keeps its STOP's evidence, now on the list.
    let stop = OptOutRecord::by_message(t0() - Duration::days(1), Channel::Sms, "STOP".to_owned());
    assert_eq!(store.record_number_opt_out(&tenant, &stopped, &stop).await, Ok(true));
    assert_eq!(store.add_to_dnc(&tenant, &stopped, &listing).await, Ok(true));
    assert_eq!(store.number_opt_out(&tenant, &stopped).await, Ok(Some(OptOutRecord { dnc: true, ..stop })));
    assert_eq!(store.lift_number_opt_out(&tenant, &stopped).await, Ok(false));

    let lead = new_lead(&tenant, Some(fresh_email()), Some(listed.clone()));
    let write = LeadWrite { unless_opted_out: Some(listed.clone()), ..create(&lead) };
    assert_eq!(
        store.write_lead(write).await,
        Err(StoreError::NumberOptedOut),
        "a listed number is never written texted"
    );
}
