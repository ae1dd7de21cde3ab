//! The closed vocabularies of DESIGN §2 and §4: each a Rust enum stored as its snake_case name.

use serde::{Deserialize, Serialize};

/// Declares an enum whose variants map one-to-one to stable snake_case names, with the
/// conversions the database, forms and templates need.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    serde::de::Error::custom(format!("unknown {} “{text}”, expected one of {}", stringify!($name), names.join(", ")))
                })
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The name a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<$name, String> {
                $name::parse(&text).ok_or_else(|| format!("unknown {}: {text}", stringify!($name)))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }

        /// A string, one of the names (the API's schema checks in `routes::api::schemas`).
        #[cfg(test)]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($text),+] })
            }
        }
    };
}

vocabulary!(
    /// The two intake tracks, kept apart end to end.
    Track {
        Agency = "agency": "Government or law-enforcement agency",
        Court = "court": "Court order (legal representative)",
    }
);

vocabulary!(
    /// How a legal representative proves who they are on the court-order track (DESIGN §1).
    CourtPath {
        User = "user": "Platform user",
        Visitor = "visitor": "Visitor",
    }
);

vocabulary!(
    /// What a requester's document is: the legal process, or the non-disclosure order that
    /// keeps the user from being told (18 USC 2705(b)).
    DocumentRole {
        Process = "process": "Legal process",
        NdoOrder = "ndo_order": "Non-disclosure order",
    }
);

vocabulary!(RequestType {
    Disclosure = "disclosure": "Disclosure of records",
    Preservation = "preservation": "Preservation of records",
    EmergencyDisclosure = "emergency_disclosure": "Emergency disclosure",
    Freeze = "freeze": "Freeze of assets",
});

impl RequestType {
    /// The label after its article, to start a sentence: "An emergency disclosure", "A freeze
    /// of assets".
    pub fn with_article(self) -> String {
        let name = self.label().to_lowercase();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "An"
        } else {
            "A"
        };
        format!("{article} {name}")
    }
}

vocabulary!(InstrumentKind {
    Subpoena = "subpoena": "Subpoena",
    CourtOrder2703d = "court_order_2703d": "Court order (18 U.S.C. 2703(d))",
    SearchWarrant = "search_warrant": "Search warrant",
    CourtOrder = "court_order": "Court order",
    SeizureWarrant = "seizure_warrant": "Seizure warrant",
    FreezingOrder = "freezing_order": "Freezing order",
    MlatRequest = "mlat_request": "MLAT request",
    EuProductionOrder = "eu_production_order": "European Production Order (EPOC)",
    EuPreservationOrder = "eu_preservation_order": "European Preservation Order (EPOC-PR)",
    UkOverseasProductionOrder = "uk_overseas_production_order": "UK Overseas Production Order",
    PreservationLetter = "preservation_letter": "Preservation letter",
    EmergencyAttestation = "emergency_attestation": "Emergency attestation",
    Other = "other": "Other legal process",
});

vocabulary!(DataCategory {
    SubscriberInfo = "subscriber_info": "Subscriber information",
    KycDocuments = "kyc_documents": "KYC documents",
    Transactions = "transactions": "Transactions",
    SessionRecords = "session_records": "Session times and assigned IP addresses",
    AccessLogs = "access_logs": "Device and full access logs",
    BalancesWallets = "balances_wallets": "Balances and wallets",
    CommunicationsContent = "communications_content": "Communications content",
    SupportTickets = "support_tickets": "Support tickets",
});

vocabulary!(TargetKind {
    UserId = "user_id": "Platform user ID",
    Email = "email": "E-mail address",
    Phone = "phone": "Phone number",
    WalletAddress = "wallet_address": "Wallet address",
    TxHash = "tx_hash": "Transaction hash",
});

vocabulary!(TargetRole {
    Suspect = "suspect": "Suspect",
    Victim = "victim": "Victim",
    Witness = "witness": "Witness",
    Subject = "subject": "Subject",
    Other = "other": "Other",
});

vocabulary!(Chain {
    Btc = "btc": "Bitcoin",
    Eth = "eth": "Ethereum",
    Trx = "trx": "TRON",
    Bsc = "bsc": "BNB Smart Chain",
    Sol = "sol": "Solana",
    Ltc = "ltc": "Litecoin",
    Xrp = "xrp": "XRP Ledger",
    Other = "other": "Other chain",
});

vocabulary!(AgencyFunction {
    LawEnforcement = "law_enforcement": "Law enforcement",
    ProsecutorJudicial = "prosecutor_judicial": "Prosecutor / judicial",
    FinancialIntelligence = "financial_intelligence": "Financial intelligence",
    Regulator = "regulator": "Regulator",
    Tax = "tax": "Tax authority",
    Military = "military": "Military",
    Intelligence = "intelligence": "Intelligence",
});

vocabulary!(
    /// The case workflow of DESIGN §4.
    CaseState {
        Triage = "triage": "Support triage",
        LegalQueue = "legal_queue": "Legal queue",
        InReview = "in_review": "In review",
        NeedsInfo = "needs_info": "Needs information",
        Approved = "approved": "Approved",
        PartiallyApproved = "partially_approved": "Partially approved",
        Rejected = "rejected": "Rejected",
        Fulfilled = "fulfilled": "Fulfilled",
        Closed = "closed": "Closed",
        Withdrawn = "withdrawn": "Withdrawn",
    }
);

vocabulary!(
    /// What a member of staff may do (DESIGN §1, §4): each role includes the ones before it.
    Role {
        Support = "support": "Support agent",
        Legal = "legal": "Legal reviewer",
        Admin = "admin": "Legal admin",
    }
);

impl CaseState {
    /// States in which a case still needs the legal team.
    pub const OPEN: &'static [CaseState] = &[
        CaseState::Triage,
        CaseState::LegalQueue,
        CaseState::InReview,
        CaseState::NeedsInfo,
        CaseState::Approved,
        CaseState::PartiallyApproved,
    ];

    pub fn open_names() -> Vec<&'static str> {
        CaseState::OPEN.iter().map(|s| s.as_str()).collect()
    }

    /// How a message to the requester says the case moved here, after its reference:
    /// "Request LE-2026-000004 is now in the legal queue".
    pub fn news(self) -> &'static str {
        match self {
            CaseState::Triage => "is with the support team",
            CaseState::LegalQueue => "is now in the legal queue",
            CaseState::InReview => "is now being reviewed",
            CaseState::NeedsInfo => "needs information from you",
            CaseState::Approved => "has been approved",
            CaseState::PartiallyApproved => "has been partially approved",
            CaseState::Rejected => "has been rejected",
            CaseState::Fulfilled => "has been fulfilled",
            CaseState::Closed => "has been closed",
            CaseState::Withdrawn => "has been withdrawn",
        }
    }
}

impl CourtPath {
    /// How a sign-in came on `track`: nothing on the agency track; on the court track the user
    /// path when the sign-in proved a platform account, else the visitor path.
    pub fn of(track: Track, account_uid: Option<&str>) -> Option<CourtPath> {
        (track == Track::Court).then_some(match account_uid {
            Some(_) => CourtPath::User,
            None => CourtPath::Visitor,
        })
    }
}

impl RequestType {
    /// The request types each track may file (DESIGN §2).
    pub fn allowed_on(self, track: Track) -> bool {
        match track {
            Track::Agency => true,
            Track::Court => matches!(self, RequestType::Disclosure | RequestType::Freeze),
        }
    }

    /// Whether the legal process itself must be attached (DESIGN §2).
    pub fn needs_legal_process(self) -> bool {
        !matches!(
            self,
            RequestType::EmergencyDisclosure | RequestType::Preservation
        )
    }
}

impl TargetKind {
    pub fn needs_chain(self) -> bool {
        matches!(self, TargetKind::WalletAddress | TargetKind::TxHash)
    }
}
