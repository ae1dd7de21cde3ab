use chrono::NaiveDate;

use super::*;
use crate::domain::request::{Asset, Court, Emergency, Freeze, Instrument, Ndo, Target};
use crate::domain::vocab::{Chain, DataCategory, TargetKind, TargetRole};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn request(
    kind: RequestType,
    instrument: InstrumentKind,
    categories: &[DataCategory],
) -> ValidRequest {
    ValidRequest {
        request_type: kind,
        instrument: Instrument {
            kind: instrument,
            reference: "GJ-2026-114".into(),
            issuing_authority: "Grand Jury".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 1),
            expires_on: None,
            validated_by: None,
            enforcing_notified: false,
        },
        targets: vec![Target {
            kind: TargetKind::Email,
            value: "alice@example.com".into(),
            chain: None,
            role: TargetRole::Suspect,
        }],
        data_categories: categories.to_vec(),
        records_from: None,
        records_to: None,
        ndo: Ndo::default(),
        deadline: None,
        summary: "s".into(),
        emergency: None,
        freeze: None,
        court: None,
        entity: None,
    }
}

fn us_court() -> Court {
    Court {
        name: "Superior Court of California, County of San Francisco".into(),
        country: "US".into(),
        region: "California".into(),
        case_number: "CGC-26-612345".into(),
        judge: "Hon. R. Alvarez".into(),
        order_date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
    }
}

struct Case {
    track: Track,
    country: &'static str,
    standing: DomainStanding,
    documents: usize,
    ndo_orders: usize,
    duplicates: Vec<String>,
    directory: Vec<Option<Option<String>>>,
    representative: Option<Representative<'static>>,
}

impl Default for Case {
    fn default() -> Case {
        Case {
            track: Track::Agency,
            country: "US",
            standing: DomainStanding::Recognised {
                source: "dotgov",
                entry: "fbi.gov".into(),
            },
            documents: 1,
            ndo_orders: 0,
            duplicates: vec![],
            directory: vec![Some(Some("U1".into()))],
            representative: Some(Representative {
                path: CourtPath::User,
                account_uid: Some("U9"),
                bar_number: None,
                bar_jurisdiction: None,
            }),
        }
    }
}

fn run(case: &Case, request: &ValidRequest) -> Authority {
    let policy = Policy::default_policy();
    // A court-track request always names its court.
    let mut request = request.clone();
    if case.track == Track::Court && request.court.is_none() {
        request.court = Some(us_court());
    }
    let request = &request;
    evaluate(&Facts {
        policy: &policy,
        home_country: "US",
        track: case.track,
        request,
        email_verified: true,
        domain: "fbi.gov",
        standing: &case.standing,
        country: Some(case.country),
        documents: case.documents,
        ndo_orders: case.ndo_orders,
        today: today(),
        duplicates: &case.duplicates,
        directory: &case.directory,
        representative: case.representative,
    })
}

fn check<'a>(authority: &'a Authority, code: &str) -> &'a Check {
    authority
        .checks
        .iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("no {code} in {authority:#?}"))
}

/// DESIGN §3's matrix as the statutes refine it (issue 17), written out independently of
/// policy/default.toml: Y pass, N fail, W warn. Columns: subscriber, KYC, transactions, session
/// records, access logs, balances, content, support tickets.
const DESIGN_MATRIX: &[(InstrumentKind, &str)] = &[
    // 2703(c)(2): session times and assigned addresses, not device or full logs.
    (InstrumentKind::Subpoena, "YYYYWYNN"),
    (InstrumentKind::CourtOrder2703d, "YYYYYYNN"),
    (InstrumentKind::SearchWarrant, "YYYYYYYY"),
    // 2703(a)-(b): contents need a warrant, or a 2703(d) order with prior notice.
    (InstrumentKind::CourtOrder, "YYYYYYWW"),
    // 18 USC 3512: the provider is served a US order, not the MLAT letter.
    (InstrumentKind::MlatRequest, "WWWWWWWW"),
    // 18 USC 2523: the UK-US agreement reaches what a warrant does.
    (InstrumentKind::UkOverseasProductionOrder, "YYYYYYYY"),
    // 18 USC 981(b): seizure, not disclosure.
    (InstrumentKind::SeizureWarrant, "NNNNNYNN"),
    (InstrumentKind::FreezingOrder, "YNNNNYNN"),
    (InstrumentKind::EuProductionOrder, "YYYYYYWW"),
    (InstrumentKind::EmergencyAttestation, "YWYYYYWW"),
    (InstrumentKind::PreservationLetter, "NNNNNNNN"),
    (InstrumentKind::EuPreservationOrder, "NNNNNNNN"),
    (InstrumentKind::Other, "WWWWWWWW"),
];

#[test]
fn every_instrument_and_category_follows_the_design_matrix() {
    assert_eq!(DESIGN_MATRIX.len(), InstrumentKind::ALL.len());
    for (instrument, row) in DESIGN_MATRIX {
        for (category, expected) in DataCategory::ALL.iter().zip(row.chars()) {
            let authority = run(
                &Case {
                    country: "FR",
                    ..Case::default()
                },
                &request(RequestType::Disclosure, *instrument, &[*category]),
            );
            let scope = check(&authority, "instrument_scope");
            let want = match expected {
                'Y' => Outcome::Pass,
                'W' => Outcome::Warn,
                _ => Outcome::Fail,
            };
            assert_eq!(
                scope.outcome, want,
                "{instrument} × {category}: {}",
                scope.message
            );
            if want == Outcome::Fail {
                let label = category.label().to_lowercase();
                assert!(
                    scope.message.contains(&format!("does not reach {label}"))
                        && scope.message.contains("remove it"),
                    "{}",
                    scope.message
                );
            }
        }
    }
}

#[test]
fn a_subpoena_for_content_names_the_instruments_that_reach_it() {
    let authority = run(
        &Case::default(),
        &request(
            RequestType::Disclosure,
            InstrumentKind::Subpoena,
            &[DataCategory::CommunicationsContent],
        ),
    );
    let scope = check(&authority, "instrument_scope");
    assert_eq!(scope.outcome, Outcome::Fail);
    assert!(scope.message.starts_with("A subpoena does not reach communications content (18 USC 2703(a)-(b): contents need a search warrant): remove it or attach a search warrant or a UK Overseas Production Order"), "{}", scope.message);
    assert!(!authority.established);
}

#[test]
fn instruments_must_fit_the_track_and_type() {
    let authority = run(
        &Case::default(),
        &request(RequestType::Freeze, InstrumentKind::Subpoena, &[]),
    );
    let fits = check(&authority, "instrument_fits_track");
    assert_eq!(fits.outcome, Outcome::Fail);
    assert!(
        fits.message
            .contains("attach a seizure warrant, a freezing order or a court order"),
        "{}",
        fits.message
    );
    assert_eq!(check(&authority, "freeze_has_order").outcome, Outcome::Fail);

    let court = Case {
        track: Track::Court,
        ..Case::default()
    };
    let authority = run(
        &court,
        &request(RequestType::Freeze, InstrumentKind::SeizureWarrant, &[]),
    );
    assert_eq!(
        check(&authority, "instrument_fits_track").outcome,
        Outcome::Fail,
        "a court-track representative cannot file a seizure warrant"
    );
    let authority = run(
        &court,
        &request(
            RequestType::Freeze,
            InstrumentKind::FreezingOrder,
            &[DataCategory::BalancesWallets],
        ),
    );
    assert!(authority.established, "{authority:#?}");
}

#[test]
fn an_epoc_must_come_from_the_eu_and_domestic_instruments_from_abroad_earn_a_caution() {
    let epoc = request(
        RequestType::Disclosure,
        InstrumentKind::EuProductionOrder,
        &[DataCategory::SubscriberInfo],
    );
    let from_us = run(&Case::default(), &epoc);
    let check_us = check(&from_us, "jurisdiction_fits_instrument");
    assert_eq!(check_us.outcome, Outcome::Fail);
    assert!(
        check_us.message.contains("EU member state"),
        "{}",
        check_us.message
    );
    assert!(
        check(
            &run(
                &Case {
                    country: "DE",
                    ..Case::default()
                },
                &epoc
            ),
            "jurisdiction_fits_instrument"
        )
        .outcome
            == Outcome::Pass
    );

    let subpoena = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::SubscriberInfo],
    );
    let from_gb = run(
        &Case {
            country: "GB",
            ..Case::default()
        },
        &subpoena,
    );
    let caution = check(&from_gb, "jurisdiction_fits_instrument");
    assert_eq!(caution.outcome, Outcome::Warn);
    assert!(caution.message.contains("MLAT"), "{}", caution.message);
    assert!(from_gb.established, "a caution is not a failure");
}

#[test]
fn expired_and_future_dated_instruments_fail() {
    let mut expired = request(
        RequestType::Disclosure,
        InstrumentKind::SearchWarrant,
        &[DataCategory::SubscriberInfo],
    );
    expired.instrument.expires_on = NaiveDate::from_ymd_opt(2026, 11, 20);
    let dates = run(&Case::default(), &expired);
    assert_eq!(
        check(&dates, "instrument_dates").message,
        "The instrument expired on 2026-11-20: attach a current one."
    );
    let mut future = expired.clone();
    future.instrument.expires_on = None;
    future.instrument.issued_on = NaiveDate::from_ymd_opt(2026, 12, 1);
    assert_eq!(
        check(&run(&Case::default(), &future), "instrument_dates").outcome,
        Outcome::Fail
    );
}

#[test]
fn duplicates_and_directory_findings_are_internal() {
    let case = Case {
        duplicates: vec!["LE-2026-000007".into()],
        directory: vec![Some(None)],
        ..Case::default()
    };
    let authority = run(
        &case,
        &request(
            RequestType::Disclosure,
            InstrumentKind::Subpoena,
            &[DataCategory::SubscriberInfo],
        ),
    );
    let duplicate = check(&authority, "duplicate_request");
    assert_eq!(duplicate.outcome, Outcome::Warn);
    assert!(duplicate
        .message
        .contains("GJ-2026-114 is already open as LE-2026-000007"));
    assert!(duplicate.internal);
    let found = check(&authority, "targets_found");
    assert!(
        found.internal
            && found
                .message
                .contains("No account matches target 1 (e-mail address)"),
        "{}",
        found.message
    );
    let shown = authority.for_requester();
    assert!(shown
        .checks
        .iter()
        .all(|c| c.code != "duplicate_request" && c.code != "targets_found"));
    assert!(authority.established);
}

#[test]
fn a_mistyped_address_fails_targets_well_formed() {
    let mut with_wallet = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::Transactions],
    );
    with_wallet.targets.push(Target {
        kind: TargetKind::WalletAddress,
        value: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T".into(),
        chain: Some(Chain::Trx),
        role: TargetRole::Subject,
    });
    let authority = run(
        &Case {
            directory: vec![],
            ..Case::default()
        },
        &with_wallet,
    );
    let formed = check(&authority, "targets_well_formed");
    assert_eq!(formed.outcome, Outcome::Fail);
    assert!(formed.message.starts_with("Target 2 (wallet address, TRON) TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T: this TRON address fails its base58check checksum"), "{}", formed.message);
    assert_eq!(authority.fixable_failures().len(), 1);
}

#[test]
fn emergencies_need_the_attestation_and_deadlines_must_be_feasible() {
    let mut emergency = request(
        RequestType::EmergencyDisclosure,
        InstrumentKind::EmergencyAttestation,
        &[DataCategory::SubscriberInfo],
    );
    emergency.emergency = Some(Emergency {
        nature: "n".into(),
        persons_at_risk: "p".into(),
        why_needed: "w".into(),
        attested: false,
    });
    let authority = run(
        &Case {
            documents: 0,
            ..Case::default()
        },
        &emergency,
    );
    assert_eq!(
        check(&authority, "emergency_attestation_complete").outcome,
        Outcome::Fail
    );
    assert_eq!(
        check(&authority, "legal_process_attached").outcome,
        Outcome::Warn
    );

    let mut hurried = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::SubscriberInfo],
    );
    hurried.deadline = NaiveDate::from_ymd_opt(2026, 11, 28);
    assert_eq!(
        check(&run(&Case::default(), &hurried), "deadline_feasible").outcome,
        Outcome::Warn
    );

    let mut freeze = request(RequestType::Freeze, InstrumentKind::FreezingOrder, &[]);
    freeze.freeze = Some(Freeze {
        reason: "r".into(),
        ..Freeze::default()
    });
    let without_document = run(
        &Case {
            documents: 0,
            ..Case::default()
        },
        &freeze,
    );
    assert_eq!(
        check(&without_document, "freeze_has_order").message,
        "Attach the freezing order itself."
    );
}

#[test]
fn court_track_names_the_representative_and_the_court() {
    let court = Case {
        track: Track::Court,
        ..Case::default()
    };
    let disclosure = request(
        RequestType::Disclosure,
        InstrumentKind::CourtOrder,
        &[DataCategory::Transactions],
    );
    let authority = run(&court, &disclosure);
    assert!(authority.established, "{authority:#?}");
    assert!(authority
        .checks
        .iter()
        .all(|c| c.code != "agency_domain_recognised"));
    assert_eq!(
        check(&authority, "representative_identified").message,
        "The representative signed in with the e-mail of record of platform account U9."
    );

    let visitor = Case {
        representative: Some(Representative {
            path: CourtPath::Visitor,
            account_uid: None,
            bar_number: Some("NY-4412871"),
            bar_jurisdiction: Some("New York"),
        }),
        ..court
    };
    let identified = run(&visitor, &disclosure);
    let check_of_visitor = check(&identified, "representative_identified");
    assert_eq!(check_of_visitor.outcome, Outcome::Warn);
    assert!(check_of_visitor
        .message
        .contains("bar number NY-4412871 (New York)"));

    let undeclared = Case {
        track: Track::Court,
        representative: None,
        ..Case::default()
    };
    assert_eq!(
        check(&run(&undeclared, &disclosure), "representative_identified").outcome,
        Outcome::Fail
    );

    let mut foreign = disclosure.clone();
    foreign.court = Some(Court {
        country: "FR".into(),
        ..us_court()
    });
    let abroad = check(&run(&visitor, &foreign), "jurisdiction_fits_instrument").clone();
    assert_eq!(abroad.outcome, Outcome::Warn);
    assert!(abroad.message.contains("court in FR"), "{}", abroad.message);

    let subpoena = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::Transactions],
    );
    let fits = run(&visitor, &subpoena);
    assert_eq!(check(&fits, "instrument_fits_track").outcome, Outcome::Fail);
    assert!(check(&fits, "instrument_fits_track")
        .message
        .contains("attach a court order."));
}

#[test]
fn the_same_court_case_number_is_a_duplicate() {
    let court = Case {
        track: Track::Court,
        duplicates: vec!["CO-2026-000003".into()],
        ..Case::default()
    };
    let authority = run(
        &court,
        &request(
            RequestType::Freeze,
            InstrumentKind::FreezingOrder,
            &[DataCategory::BalancesWallets],
        ),
    );
    let duplicate = check(&authority, "duplicate_request");
    assert_eq!(duplicate.outcome, Outcome::Warn);
    assert!(duplicate.internal);
    assert_eq!(
        duplicate.message,
        "Court case CGC-26-612345 (US) is already open as CO-2026-000003."
    );
    assert_eq!(
        us_court().case_key(),
        Court {
            case_number: " cgc-26- 612345 ".into(),
            ..us_court()
        }
        .case_key()
    );
}

/// The scope check of `instrument` for each category on `track`: the outcome and the message.
fn scope_of(track: Track, instrument: InstrumentKind, category: DataCategory) -> (Outcome, String) {
    let case = Case {
        track,
        ..Case::default()
    };
    let authority = run(
        &case,
        &request(RequestType::Disclosure, instrument, &[category]),
    );
    let scope = check(&authority, "instrument_scope");
    (scope.outcome, scope.message.clone())
}

/// 18 USC 2702(a)(1)-(2) and (c)(6): a private party receives non-content records only, whatever
/// its court order says.
#[test]
fn usc_2702_a_no_contents_to_a_non_governmental_requester() {
    let table = [
        (DataCategory::CommunicationsContent, Outcome::Fail),
        (DataCategory::SupportTickets, Outcome::Fail),
        (DataCategory::SubscriberInfo, Outcome::Pass),
        (DataCategory::Transactions, Outcome::Pass),
        (DataCategory::BalancesWallets, Outcome::Pass),
    ];
    for (category, want) in table {
        let (outcome, message) = scope_of(Track::Court, InstrumentKind::CourtOrder, category);
        assert_eq!(outcome, want, "{category}: {message}");
        if want == Outcome::Fail {
            assert!(
                message.contains("cannot be disclosed on the court track")
                    && message.contains("2702(a)(1)-(2)")
                    && message.contains("2702(c)(6)"),
                "{message}"
            );
        }
    }
}

/// Search warrants (Fed. R. Crim. P. 41) issue to the government: not an instrument of the
/// court-order track.
#[test]
fn rule_41_private_parties_hold_no_search_warrants() {
    let case = Case {
        track: Track::Court,
        ..Case::default()
    };
    let authority = run(
        &case,
        &request(
            RequestType::Disclosure,
            InstrumentKind::SearchWarrant,
            &[DataCategory::Transactions],
        ),
    );
    let fits = check(&authority, "instrument_fits_track");
    assert_eq!(fits.outcome, Outcome::Fail, "{}", fits.message);
    assert!(
        fits.message.contains("attach a court order."),
        "{}",
        fits.message
    );
}

/// 18 USC 2703(a)-(b): contents need a warrant, or a 2703(d) order with prior notice; an agency's
/// court order that is not a warrant reaches them only with that caution.
#[test]
fn usc_2703_a_b_contents_by_court_order_are_a_caution() {
    let table = [
        (
            InstrumentKind::CourtOrder,
            DataCategory::CommunicationsContent,
            Outcome::Warn,
        ),
        (
            InstrumentKind::CourtOrder,
            DataCategory::SupportTickets,
            Outcome::Warn,
        ),
        (
            InstrumentKind::SearchWarrant,
            DataCategory::CommunicationsContent,
            Outcome::Pass,
        ),
        (
            InstrumentKind::CourtOrder2703d,
            DataCategory::CommunicationsContent,
            Outcome::Fail,
        ),
        (
            InstrumentKind::Subpoena,
            DataCategory::CommunicationsContent,
            Outcome::Fail,
        ),
    ];
    for (instrument, category, want) in table {
        let (outcome, message) = scope_of(Track::Agency, instrument, category);
        assert_eq!(outcome, want, "{instrument} × {category}: {message}");
        if want != Outcome::Pass {
            assert!(message.contains("2703(a)-(b)"), "{message}");
        }
        if want == Outcome::Warn {
            assert!(
                message.contains("prior notice to the subscriber"),
                "{message}"
            );
        }
    }
}

/// 18 USC 2703(c)(2): a subpoena reaches basic subscriber records, session times and durations
/// and temporarily assigned network addresses; device and full logs need a 2703(d) order.
#[test]
fn usc_2703_c_2_a_subpoena_reaches_basic_subscriber_records() {
    let table = [
        (DataCategory::SubscriberInfo, Outcome::Pass),
        (DataCategory::SessionRecords, Outcome::Pass),
        (DataCategory::AccessLogs, Outcome::Warn),
    ];
    for (category, want) in table {
        let (outcome, message) = scope_of(Track::Agency, InstrumentKind::Subpoena, category);
        assert_eq!(outcome, want, "{category}: {message}");
        if want == Outcome::Warn {
            assert!(message.contains("need a 2703(d) order"), "{message}");
        }
    }
    let (outcome, _) = scope_of(
        Track::Agency,
        InstrumentKind::CourtOrder2703d,
        DataCategory::AccessLogs,
    );
    assert_eq!(outcome, Outcome::Pass);
}

/// The jurisdiction check of `instrument` from an agency in `country`.
fn jurisdiction_of(
    kind: RequestType,
    instrument: InstrumentKind,
    country: &'static str,
) -> (Outcome, String) {
    let case = Case {
        country,
        ..Case::default()
    };
    let authority = run(
        &case,
        &request(kind, instrument, &[DataCategory::SubscriberInfo]),
    );
    let found = check(&authority, "jurisdiction_fits_instrument");
    (found.outcome, found.message.clone())
}

/// 18 USC 3512: an MLAT request is executed through a US order served on the provider; the
/// letter alone is a caution, and a US instrument from abroad must be that order.
#[test]
fn usc_3512_an_mlat_letter_alone_is_not_compulsory_process() {
    let (outcome, message) = scope_of(
        Track::Agency,
        InstrumentKind::MlatRequest,
        DataCategory::SubscriberInfo,
    );
    assert_eq!(outcome, Outcome::Warn, "{message}");
    assert!(
        message.contains("18 USC 3512") && message.contains("forged MLAT letters"),
        "{message}"
    );
    let (outcome, message) =
        jurisdiction_of(RequestType::Disclosure, InstrumentKind::CourtOrder, "BR");
    assert_eq!(outcome, Outcome::Warn);
    assert!(
        message.contains("obtained under 18 USC 3512 on an MLAT request"),
        "{message}"
    );
}

/// 18 USC 2702(b)(8), (c)(4) with 2711(4): emergency disclosure is to US government; an agency
/// abroad needs an agreement instrument.
#[test]
fn usc_2711_4_emergency_disclosure_is_to_a_governmental_entity() {
    let table = [
        (InstrumentKind::EmergencyAttestation, "US", Outcome::Pass),
        (InstrumentKind::EmergencyAttestation, "FR", Outcome::Fail),
        (InstrumentKind::EmergencyAttestation, "GB", Outcome::Fail),
        (InstrumentKind::EuProductionOrder, "FR", Outcome::Pass),
        (
            InstrumentKind::UkOverseasProductionOrder,
            "GB",
            Outcome::Pass,
        ),
    ];
    for (instrument, country, want) in table {
        let (outcome, message) =
            jurisdiction_of(RequestType::EmergencyDisclosure, instrument, country);
        assert_eq!(outcome, want, "{instrument} from {country}: {message}");
        if want == Outcome::Fail {
            assert!(
                message.contains("2711(4)")
                    && message.contains(
                        "a European Production Order (EPOC) or a UK Overseas Production Order"
                    ),
                "{message}"
            );
        }
    }
}

/// 18 USC 2523 and 2702(b)(9), (c)(7): a UK Overseas Production Order comes from the UK, needs
/// no MLAT, and from anywhere else is refused.
#[test]
fn usc_2523_uk_overseas_production_orders_come_from_the_uk() {
    let (outcome, message) = jurisdiction_of(
        RequestType::Disclosure,
        InstrumentKind::UkOverseasProductionOrder,
        "GB",
    );
    assert_eq!(outcome, Outcome::Pass);
    assert!(message.contains("no MLAT is needed"), "{message}");
    let (outcome, message) = jurisdiction_of(
        RequestType::Disclosure,
        InstrumentKind::UkOverseasProductionOrder,
        "FR",
    );
    assert_eq!(outcome, Outcome::Fail, "{message}");
}

/// Regulation (EU) 2023/1543 does not bind Denmark (recital 96, Protocol No 22).
#[test]
fn regulation_2023_1543_does_not_bind_denmark() {
    for (country, want) in [
        ("FR", Outcome::Pass),
        ("DK", Outcome::Fail),
        ("US", Outcome::Fail),
    ] {
        let (outcome, message) = jurisdiction_of(
            RequestType::Disclosure,
            InstrumentKind::EuProductionOrder,
            country,
        );
        assert_eq!(outcome, want, "{country}: {message}");
    }
}

/// 18 USC 981(b) and Fed. R. Crim. P. 41(c)(4): a seizure warrant authorises seizing property, not
/// disclosing records; it reaches balances and wallets only.
#[test]
fn usc_981_a_seizure_warrant_seizes_and_discloses_nothing() {
    for category in DataCategory::ALL {
        let (outcome, message) = scope_of(Track::Agency, InstrumentKind::SeizureWarrant, *category);
        let want = if *category == DataCategory::BalancesWallets {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        assert_eq!(outcome, want, "{category}: {message}");
        if want == Outcome::Fail {
            assert!(message.contains("seizure, not disclosure"), "{message}");
        }
    }
}

/// Fed. R. Crim. P. 41(e)(2)(A)(i): a search warrant must be executed within 14 days of issue.
#[test]
fn rule_41_e_2_a_a_search_warrant_is_executed_within_14_days() {
    let table = [
        (0, Outcome::Pass),
        (14, Outcome::Pass),
        (15, Outcome::Warn),
        (60, Outcome::Warn),
    ];
    for (days_ago, want) in table {
        let mut warrant = request(
            RequestType::Disclosure,
            InstrumentKind::SearchWarrant,
            &[DataCategory::Transactions],
        );
        warrant.instrument.issued_on = Some(today() - chrono::TimeDelta::days(days_ago));
        let authority = run(&Case::default(), &warrant);
        let dates = check(&authority, "instrument_dates");
        assert_eq!(dates.outcome, want, "{days_ago} days: {}", dates.message);
        if want == Outcome::Warn {
            assert!(
                dates.message.starts_with("Fed. R. Crim. P. 41(e)(2)(A)(i): a search warrant must be executed within 14 days")
                    && dates.message.contains(&format!("{days_ago} days ago")),
                "{}",
                dates.message
            );
        }
    }
    // A subpoena has no such limit.
    let mut subpoena = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::Transactions],
    );
    subpoena.instrument.issued_on = Some(today() - chrono::TimeDelta::days(60));
    assert_eq!(
        check(&run(&Case::default(), &subpoena), "instrument_dates").outcome,
        Outcome::Pass
    );
}

/// 18 USC 2705(b) and the DOJ's policy of 19 October 2017: a non-disclosure order without an end
/// date, or running over a year, is a caution; none declared, no check.
#[test]
fn usc_2705_b_a_non_disclosure_order_has_an_end_within_a_year() {
    let table = [
        (None, Outcome::Warn, "names no end date"),
        (Some(365), Outcome::Pass, "the user may be told from then"),
        (Some(366), Outcome::Warn, "longer than 365 days"),
        (Some(90), Outcome::Pass, "the user may be told from then"),
    ];
    for (days, want, says) in table {
        let mut subpoena = request(
            RequestType::Disclosure,
            InstrumentKind::Subpoena,
            &[DataCategory::SubscriberInfo],
        );
        subpoena.ndo.present = true;
        subpoena.ndo.until = days.map(|d| today() + chrono::TimeDelta::days(d));
        let authority = run(&Case::default(), &subpoena);
        let ndo = check(&authority, "ndo_duration");
        assert_eq!(ndo.outcome, want, "{days:?}: {}", ndo.message);
        assert!(ndo.message.contains(says), "{}", ndo.message);
        if want == Outcome::Warn {
            assert!(ndo.message.starts_with("18 USC 2705(b)"), "{}", ndo.message);
        }
    }
    let plain = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::SubscriberInfo],
    );
    assert!(run(&Case::default(), &plain)
        .checks
        .iter()
        .all(|c| c.code != "ndo_duration"));
}

/// 18 USC 2705(b): the platform keeps silent toward its user on the court's order, so a declared
/// non-disclosure order must be attached; without one declared, no check.
#[test]
fn usc_2705_b_a_declared_non_disclosure_order_is_attached() {
    let mut subpoena = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::SubscriberInfo],
    );
    let table = [
        (false, 0, None),
        (true, 0, Some(Outcome::Fail)),
        (true, 1, Some(Outcome::Pass)),
    ];
    for (declared, attached, want) in table {
        subpoena.ndo.present = declared;
        subpoena.ndo.until = Some(today() + chrono::TimeDelta::days(90));
        let case = Case {
            ndo_orders: attached,
            ..Case::default()
        };
        let authority = run(&case, &subpoena);
        let found = authority.checks.iter().find(|c| c.code == "ndo_order");
        assert_eq!(found.map(|c| c.outcome), want, "{declared} {attached}");
        if want == Some(Outcome::Fail) {
            let check = found.unwrap();
            assert!(
                check.message.starts_with("18 USC 2705(b)"),
                "{}",
                check.message
            );
            assert!(!authority.established);
            assert!(
                authority
                    .fixable_failures()
                    .iter()
                    .any(|c| c.code == "ndo_order"),
                "the requester is asked to attach it before filing"
            );
        }
    }
}

/// Regulation (EU) 2023/1543, Art. 4(1)-(2): an EPOC for traffic (other than to identify the user)
/// or content data is issued or validated by a judge, a court or an investigating judge.
#[test]
fn regulation_2023_1543_art_4_traffic_and_content_need_a_judge() {
    let table = [
        (DataCategory::AccessLogs, None, Some(Outcome::Fail)),
        (
            DataCategory::CommunicationsContent,
            None,
            Some(Outcome::Fail),
        ),
        (
            DataCategory::CommunicationsContent,
            Some("Juge d'instruction, TJ Paris"),
            Some(Outcome::Pass),
        ),
        (DataCategory::SubscriberInfo, None, None),
        (DataCategory::SessionRecords, None, None),
    ];
    for (category, judge, want) in table {
        let mut epoc = request(
            RequestType::Disclosure,
            InstrumentKind::EuProductionOrder,
            &[category],
        );
        epoc.instrument.validated_by = judge.map(str::to_owned);
        let case = Case {
            country: "FR",
            ..Case::default()
        };
        let authority = run(&case, &epoc);
        let found = authority
            .checks
            .iter()
            .find(|c| c.code == "judicial_validation");
        assert_eq!(
            found.map(|c| c.outcome),
            want,
            "{category} {judge:?}: {found:?}"
        );
        if want == Some(Outcome::Fail) {
            assert!(found
                .unwrap()
                .message
                .starts_with("Regulation (EU) 2023/1543, Art. 4(2)"));
        }
    }
    // Other instruments have no such rule.
    let subpoena = request(
        RequestType::Disclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::AccessLogs],
    );
    assert!(run(&Case::default(), &subpoena)
        .checks
        .iter()
        .all(|c| c.code != "judicial_validation"));
}

/// A court freezing order (e.g. a UK freezing injunction) freezes the respondent's assets up to
/// a maximum sum, until a return date, with exceptions the freeze must leave possible.
#[test]
fn freezing_injunction_terms_bind_the_freeze() {
    let asset = |asset: &str, amount: &str| Asset {
        asset: asset.into(),
        amount: amount.into(),
    };
    let terms = |assets: Vec<Asset>, max_sum: Option<&str>, exceptions: Option<&str>| {
        let mut order = request(RequestType::Freeze, InstrumentKind::FreezingOrder, &[]);
        order.freeze = Some(Freeze {
            assets,
            reason: "proceeds of fraud".into(),
            until: NaiveDate::from_ymd_opt(2027, 1, 15),
            respondent: Some("John Smith".into()),
            max_sum: max_sum.map(Into::into),
            exceptions: exceptions.map(Into::into),
        });
        run(&Case::default(), &order)
    };
    let table = [
        (
            vec![asset("BTC", "all")],
            Some("GBP 1,250,000"),
            Outcome::Warn,
            "up to the value of GBP 1,250,000 only",
        ),
        (
            vec![asset("BTC", "2.5")],
            Some("GBP 1,250,000"),
            Outcome::Pass,
            "must not exceed it",
        ),
        (
            vec![asset("BTC", "2.5")],
            None,
            Outcome::Warn,
            "No maximum sum is given",
        ),
    ];
    for (assets, max_sum, want, says) in table {
        let authority = terms(assets, max_sum, None);
        let max = check(&authority, "freeze_max_sum");
        assert_eq!(max.outcome, want, "{max_sum:?}: {}", max.message);
        assert!(max.message.contains(says), "{}", max.message);
        assert!(authority
            .checks
            .iter()
            .all(|c| c.code != "freeze_exceptions"));
        assert!(check(&authority, "freeze_until")
            .message
            .contains("2027-01-15"));
        assert!(check(&authority, "freeze_respondent")
            .message
            .contains("John Smith"));
    }
    let allowed = terms(
        vec![asset("BTC", "2.5")],
        Some("GBP 1,250,000"),
        Some("ordinary living expenses of GBP 1,000 a week"),
    );
    let exceptions = check(&allowed, "freeze_exceptions");
    assert_eq!(exceptions.outcome, Outcome::Warn);
    assert!(exceptions.message.contains("GBP 1,000 a week"));

    // An agency's seizure warrant carries no injunction's terms.
    let mut seizure = request(RequestType::Freeze, InstrumentKind::SeizureWarrant, &[]);
    seizure.freeze = Some(Freeze {
        assets: vec![asset("ETH", "all")],
        reason: "forfeiture".into(),
        ..Freeze::default()
    });
    let authority = run(&Case::default(), &seizure);
    assert!(authority
        .checks
        .iter()
        .all(|c| !c.code.starts_with("freeze_") || c.code == "freeze_has_order"));
}

/// Regulation (EU) 2023/1543, Arts. 8 and 10: an EPOC for traffic or content data about a person
/// living outside the issuing state is notified to the enforcing authority, which may object
/// within 10 days (96 hours in an emergency); without a notification, the reviewer asks.
#[test]
fn regulation_2023_1543_art_8_notification_holds_production() {
    let table = [
        (
            RequestType::Disclosure,
            DataCategory::AccessLogs,
            true,
            Some("240 hours"),
        ),
        (
            RequestType::EmergencyDisclosure,
            DataCategory::CommunicationsContent,
            true,
            Some("96 hours"),
        ),
        (
            RequestType::Disclosure,
            DataCategory::CommunicationsContent,
            false,
            Some("must be notified"),
        ),
        (
            RequestType::Disclosure,
            DataCategory::SubscriberInfo,
            false,
            None,
        ),
    ];
    for (kind, category, notified, says) in table {
        let mut epoc = request(kind, InstrumentKind::EuProductionOrder, &[category]);
        epoc.instrument.enforcing_notified = notified;
        let authority = run(
            &Case {
                country: "FR",
                ..Case::default()
            },
            &epoc,
        );
        let found = authority
            .checks
            .iter()
            .find(|c| c.code == "enforcing_notification");
        match says {
            Some(says) => {
                let check = found.unwrap_or_else(|| panic!("{kind:?} {category:?}: no check"));
                assert_eq!(check.outcome, Outcome::Warn);
                assert!(
                    check
                        .message
                        .starts_with("Regulation (EU) 2023/1543, Arts. 8 and 10"),
                    "{}",
                    check.message
                );
                assert!(check.message.contains(says), "{}", check.message);
            }
            None => assert!(
                found.is_none(),
                "subscriber data asked to identify the user needs no notification"
            ),
        }
    }
}

#[test]
fn an_emergency_request_under_the_wrong_instrument_reads_as_english() {
    let emergency = request(
        RequestType::EmergencyDisclosure,
        InstrumentKind::Subpoena,
        &[DataCategory::SubscriberInfo],
    );
    let authority = run(&Case::default(), &emergency);
    let fits = check(&authority, "instrument_fits_track");
    assert_eq!(fits.outcome, Outcome::Fail);
    assert!(
        fits.message
            .contains("an emergency disclosure request on the agency track"),
        "{}",
        fits.message
    );
}
