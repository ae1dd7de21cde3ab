// The tables of migrations/{sqlite,postgres}; both backends share these column types.

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    requesters (id) {
        id -> Text,
        track -> Text,
        email -> Text,
        name -> Nullable<Text>,
        title -> Nullable<Text>,
        badge_number -> Nullable<Text>,
        agency_name -> Nullable<Text>,
        agency_function -> Nullable<Text>,
        country -> Nullable<Text>,
        phone -> Nullable<Text>,
        profile_completed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        firm -> Nullable<Text>,
        bar_number -> Nullable<Text>,
        bar_jurisdiction -> Nullable<Text>,
        represents -> Nullable<Text>,
        standing -> Text,
        standing_reason -> Nullable<Text>,
        standing_changed_at -> Nullable<Timestamp>,
        verified_at -> Nullable<Timestamp>,
        may_file_emergency -> Bool,
        may_file_freeze -> Bool,
        totp_secret -> Nullable<Text>,
        totp_pending -> Nullable<Text>,
        totp_last_step -> BigInt,
        totp_enrolled_at -> Nullable<Timestamp>,
        passkey_enrolled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_challenges (id) {
        id -> Text,
        track -> Text,
        email -> Text,
        code_hash -> Text,
        attempts -> Integer,
        expires_at -> Timestamp,
        consumed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        account_uid -> Nullable<Text>,
        code_verified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    known_networks (subject, network) {
        subject -> Text,
        network -> Text,
        last_signin_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        requester_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        account_uid -> Nullable<Text>,
        last_seen_at -> Nullable<Timestamp>,
        second_factor -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (bucket, window_start) {
        bucket -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    reference_counters (prefix) {
        prefix -> Text,
        last_value -> BigInt,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        reference -> Text,
        track -> Text,
        request_type -> Text,
        state -> Text,
        requester_id -> Text,
        instrument_kind -> Text,
        instrument_reference -> Text,
        issuing_authority -> Text,
        issued_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        data_categories -> Text,
        records_from -> Nullable<Date>,
        records_to -> Nullable<Date>,
        ndo_present -> Bool,
        ndo_until -> Nullable<Date>,
        requested_deadline -> Nullable<Date>,
        summary -> Text,
        emergency_details -> Nullable<Text>,
        freeze_details -> Nullable<Text>,
        court_details -> Nullable<Text>,
        agency_domain -> Nullable<Text>,
        authority_established -> Bool,
        authority_checks -> Text,
        due_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        assigned_to -> Nullable<Text>,
        paused_at -> Nullable<Timestamp>,
        resume_state -> Nullable<Text>,
        decision -> Nullable<Text>,
        signer_mfa -> Text,
        fraud_signals -> Text,
        flagged -> Nullable<Text>,
        validated_by -> Nullable<Text>,
        legal_entity -> Nullable<Text>,
        legal_entity_name -> Nullable<Text>,
        user_notified_on -> Nullable<Date>,
        user_notified_by -> Nullable<Text>,
        enforcing_notified -> Bool,
        objection_until -> Nullable<Timestamp>,
        enforcing_objection -> Nullable<Text>,
        checks_run_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    court_filings (case_id) {
        case_id -> Text,
        account_uid -> Nullable<Text>,
        case_key -> Text,
    }
}

diesel::table! {
    case_targets (id) {
        id -> Text,
        case_id -> Text,
        position -> Integer,
        kind -> Text,
        value -> Text,
        chain -> Nullable<Text>,
        role -> Text,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        case_id -> Text,
        filename -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
        role -> Text,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        case_id -> Text,
        author -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_checkpoints (seq) {
        seq -> BigInt,
        hash -> Text,
        at -> Timestamp,
        key_id -> Text,
        signature -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        case_id -> Nullable<Text>,
        action -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    gov_domains (domain) {
        domain -> Text,
        source -> Text,
        domain_type -> Text,
        organization -> Text,
        suborganization -> Text,
        city -> Text,
        region -> Text,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    approved_agencies (domain) {
        domain -> Text,
        agency_name -> Text,
        country -> Text,
        approved_by -> Text,
        approved_at -> Timestamp,
    }
}

diesel::table! {
    blocked_domains (domain) {
        domain -> Text,
        reason -> Text,
        blocked_by -> Text,
        blocked_at -> Timestamp,
    }
}

diesel::table! {
    accounts (uid) {
        uid -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        name -> Nullable<Text>,
        country -> Nullable<Text>,
        status -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account_wallets (chain, address) {
        chain -> Text,
        address -> Text,
        uid -> Text,
    }
}

diesel::table! {
    request_drafts (requester_id) {
        requester_id -> Text,
        body -> Text,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    held_documents (id) {
        id -> Text,
        requester_id -> Text,
        filename -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        held_at -> Timestamp,
        role -> Text,
        kept_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        totp_secret -> Text,
        totp_last_step -> BigInt,
        failed_attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        active -> Bool,
        created_at -> Timestamp,
        title -> Nullable<Text>,
        signs_outside_us -> Bool,
    }
}

diesel::table! {
    certificate_templates (version) {
        version -> Integer,
        body -> Text,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    staff_sessions (token_hash) {
        token_hash -> Text,
        staff_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    approvals (case_id, staff_id) {
        case_id -> Text,
        staff_id -> Text,
        to_state -> Text,
        approved_at -> Timestamp,
        scope -> Nullable<Text>,
    }
}

diesel::table! {
    notes (id) {
        id -> Text,
        case_id -> Text,
        staff_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    non_execution_answers (id) {
        id -> Text,
        case_id -> Text,
        number -> Integer,
        reasons -> Text,
        details -> Text,
        partial -> Bool,
        answered_by -> Text,
        answered_at -> Timestamp,
    }
}

diesel::table! {
    preservations (case_id) {
        case_id -> Text,
        preserved_at -> Timestamp,
        expires_at -> Timestamp,
        extensions -> Integer,
        reminder_sent_at -> Nullable<Timestamp>,
        renewals_allowed -> Integer,
        production_request -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamp>,
        confirmable -> Bool,
    }
}

diesel::table! {
    freezes (case_id) {
        case_id -> Text,
        executed_at -> Timestamp,
        executed_by -> Text,
        accounts -> Text,
        released_at -> Nullable<Timestamp>,
        released_by -> Nullable<Text>,
        release_reason -> Nullable<Text>,
    }
}

diesel::table! {
    seizure_transfers (id) {
        id -> Text,
        case_id -> Text,
        asset -> Text,
        amount -> Text,
        chain -> Text,
        destination -> Text,
        tx_hash -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> Text,
        public_key_pem -> Text,
        private_key -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    productions (id) {
        id -> Text,
        case_id -> Text,
        category -> Text,
        filename -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        sha512 -> Text,
        crc32 -> BigInt,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
        bundle_n -> Nullable<Integer>,
    }
}

diesel::table! {
    bundles (case_id, n) {
        case_id -> Text,
        n -> Integer,
        file_id -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        files -> Integer,
        key_id -> Text,
        sealed_by -> Text,
        sealed_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    agency_contacts (id) {
        id -> Text,
        domain -> Text,
        label -> Text,
        phone -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    callbacks (id) {
        id -> Text,
        case_id -> Text,
        contact_id -> Text,
        phone -> Text,
        person_reached -> Text,
        outcome -> Text,
        called_at -> Timestamp,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    case_colleagues (case_id, email) {
        case_id -> Text,
        email -> Text,
        added_by -> Text,
        added_at -> Timestamp,
    }
}

diesel::joinable!(callbacks -> cases (case_id));
diesel::joinable!(callbacks -> agency_contacts (contact_id));
diesel::joinable!(case_colleagues -> cases (case_id));
diesel::joinable!(notes -> staff (staff_id));
diesel::joinable!(certificate_templates -> staff (changed_by));
diesel::joinable!(seizure_transfers -> cases (case_id));
diesel::joinable!(non_execution_answers -> cases (case_id));
diesel::joinable!(non_execution_answers -> staff (answered_by));
diesel::joinable!(staff_sessions -> staff (staff_id));
diesel::joinable!(account_wallets -> accounts (uid));
diesel::joinable!(sessions -> requesters (requester_id));
diesel::joinable!(cases -> requesters (requester_id));
diesel::joinable!(case_targets -> cases (case_id));
diesel::joinable!(documents -> cases (case_id));
diesel::joinable!(messages -> cases (case_id));
diesel::joinable!(court_filings -> cases (case_id));

diesel::table! {
    passkeys (id) {
        id -> Text,
        requester_id -> Text,
        credential_id -> Text,
        name -> Text,
        credential -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    passkey_ceremonies (id) {
        id -> Text,
        requester_id -> Text,
        purpose -> Text,
        bound_to -> Text,
        state -> Text,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(passkeys -> requesters (requester_id));

diesel::allow_tables_to_appear_in_same_query!(
    passkeys,
    passkey_ceremonies,
    agency_contacts,
    callbacks,
    case_colleagues,
    audit_checkpoints,
    app_secrets,
    requesters,
    login_challenges,
    known_networks,
    sessions,
    rate_limits,
    reference_counters,
    cases,
    case_targets,
    documents,
    messages,
    outbox,
    audit_head,
    audit_events,
    gov_domains,
    approved_agencies,
    blocked_domains,
    accounts,
    account_wallets,
    held_documents,
    request_drafts,
    staff,
    staff_sessions,
    approvals,
    notes,
    preservations,
    court_filings,
    signing_keys,
    productions,
    bundles,
    freezes,
    certificate_templates,
    seizure_transfers,
    non_execution_answers,
);
