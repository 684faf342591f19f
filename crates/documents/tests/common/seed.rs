//! The seed action: EGOC's convention n° 26/19 with the CAF de l'Allier (« Accompagner la
//! démarche de Convention Territoriale Globale »), six days in three modules of two days from
//! March to September 2019, and its avenant n° 1 adding a seventh day.
//!
//! A trainee of the CAF, Camille DUPONT, is convoked to the first day (Moulins, 22 mars 2019).
//!
//! Another trainee, Inès MOREL, receives her certificates for a two-day action of March 2019,
//! « Les chantiers locaux de la CTG », of which she missed the last afternoon.
//!
//! Shared by the integration tests and `examples/render.rs`.

#![allow(dead_code)]

use chrono::{NaiveDate, NaiveTime};
use forma_documents::amendment::{AmendmentChange, AmendmentDocument};
use forma_documents::certificate::{ActionNature, CertificateDocument, CertificateKind};
use forma_documents::convention::ConventionDocument;
use forma_documents::convocation::{Contact, ConvocationDay, ConvocationDocument, Trainee, Venue};
use forma_documents::registrations::RegistrationRow;
use forma_documents::{AnnexedProgram, Organisation, Party, PlannedDay, Price, PriceBasis};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

pub fn organisation() -> Organisation {
    Organisation {
        party: Party {
            name: "EGOC".into(),
            address_lines: vec!["12 boulevard des États-Unis".into(), "03200 Vichy".into()],
            siret: Some("12345678200010".into()),
            representative: Some("M. Jean DURAND, directeur".into()),
            email: Some("contact@egoc.org".into()),
            phone: Some("02 99 29 82 42".into()),
        },
        nda: Some("84 03 01234 03".into()),
        city: "Vichy".into(),
    }
}

pub fn client() -> Party {
    Party {
        name: "CAF de l'Allier".into(),
        address_lines: vec!["8 rue Achille Roche".into(), "03000 Moulins".into()],
        siret: None,
        representative: Some("Mme Anne MARTIN, directrice".into()),
        email: None,
        phone: None,
    }
}

pub fn program() -> AnnexedProgram {
    AnnexedProgram {
        title: "Accompagner la démarche de Convention Territoriale Globale".into(),
        version: 1,
        updated_on: date(2019, 2, 15),
        objectives: vec![
            "donner un sens nouveau et une plus-value sociale à la CTG dans le paysage de l'offre \
             de service de la CAF de l'Allier ;"
                .into(),
            "travailler sur une culture commune des représentations, faire évoluer les \
             compétences et donner un nouveau souffle à la coopération inter-services ;"
                .into(),
            "gagner en efficacité et en cohérence pour faire avancer une nouvelle organisation \
             territoriale concertée."
                .into(),
        ],
        audience: Some(
            "Conseillers techniques et cadres du pôle partenaires, travailleurs sociaux et leur \
             encadrement."
                .into(),
        ),
        prerequisites: Some("Aucun prérequis.".into()),
        duration: "6 jours (42 heures)".into(),
        sections: vec![
            (
                "Contenu".into(),
                // The catalogue writes sheets in light Markdown.
                "La formation-action se déroule en 3 modules de 2 jours. Entre chaque journée, \
                 les équipes projets avancent dans la démarche de construction de la CTG.\n\
                 - **Module 1 :** acculturation CTG, vision partagée et socle commun de références ;\n\
                 - **Module 2 :** portraits de territoire et co-animation d'un projet de territoire ;\n\
                 - **Module 3 :** organisation interne, transversalité et feuille de route.\n\
                 #### Journée 1 – le 22 mars 2019\n\
                 Co-construire une vision partagée de la CTG au sein de la CAF de l'Allier et en \
                 transversalité (voir [le site de l'organisme](http://www.egoc.org))."
                    .into(),
            ),
            (
                "Méthodes pédagogiques".into(),
                "Méthodes d'animation participatives et processus de décision collective ;\n\
                 - démarche en prise avec la réalité des participants, co-construction des outils ;\n\
                 - apports méthodologiques, mises en situation, outils de diagnostic partagés."
                    .into(),
            ),
            (
                "Modalités d'évaluation".into(),
                "Évaluation en amont par questionnaire ; évaluation au cours de la formation par \
                 mises en situation ; évaluation à chaud (bilan oral et questionnaire écrit) ; \
                 évaluation à froid avec un outil interne de la CAF."
                    .into(),
            ),
            (
                "Accessibilité".into(),
                "Nos formations sont accessibles à tous les agents de la CAF. Pour toute \
                 personne en situation de handicap, contactez-nous afin d'étudier ensemble les \
                 modalités d'accès à la formation."
                    .into(),
            ),
        ],
    }
}

pub fn day(
    date: NaiveDate,
    module: u32,
    title: &str,
    place: &str,
    audience: &str,
    headcount: (u32, u32),
) -> PlannedDay {
    PlannedDay {
        date,
        module: Some(format!("Module {module}")),
        title: Some(title.into()),
        morning: Some((time(9, 0), time(12, 30))),
        afternoon: Some((time(13, 30), time(17, 0))),
        place: place.into(),
        trainers: vec!["Thierry CHEINE (Accolades)".into()],
        audience: Some(audience.into()),
        headcount: Some(headcount),
    }
}

pub const MOULINS: &str = "CAF de l'Allier, Moulins — salle Allier";
pub const VICHY: &str = "CAF de l'Allier, Vichy — salle des Célestins";
pub const MONTLUCON: &str = "CAF de l'Allier, Montluçon — salle du Cher";

pub fn days() -> Vec<PlannedDay> {
    let teams = "Conseillers techniques, managers et travailleurs sociaux";
    vec![
        day(
            date(2019, 3, 22),
            1,
            "Acculturation CTG",
            MOULINS,
            "CODIR élargi, conseillers techniques, managers, travailleurs sociaux, CSU, \
             bureau d'études et communication",
            (30, 40),
        ),
        day(
            date(2019, 4, 12),
            1,
            "Socle commun de la démarche CTG",
            VICHY,
            teams,
            (15, 20),
        ),
        day(
            date(2019, 5, 17),
            2,
            "Portraits de territoire",
            MONTLUCON,
            teams,
            (15, 20),
        ),
        day(
            date(2019, 6, 14),
            2,
            "Co-animer un projet de territoire",
            MOULINS,
            "Conseillers techniques et encadrement",
            (5, 8),
        ),
        day(
            date(2019, 9, 6),
            3,
            "Organisation interne et transversalité",
            VICHY,
            teams,
            (15, 20),
        ),
        day(
            date(2019, 9, 27),
            3,
            "Bilan et feuille de route",
            MONTLUCON,
            teams,
            (15, 20),
        ),
    ]
}

pub fn price(days: u32) -> Price {
    Price {
        basis: PriceBasis::PerGroupDay,
        unit_cents: 120_000,
        quantity: days,
        vat_rate_basis_points: None,
        vat_exemption_note: Some("Exonération de TVA, article 261-4-4°a du CGI".into()),
    }
}

pub fn convention() -> ConventionDocument {
    ConventionDocument {
        number: "26/19".into(),
        issued_on: date(2019, 2, 15),
        kind: "INTRA".into(),
        organisation: organisation(),
        client: client(),
        program: program(),
        days: days(),
        trainees: Some(
            "15 à 20 agents par journée, 30 à 40 pour la journée d'acculturation".into(),
        ),
        price: price(6),
        payment_terms: "Facturation à l'issue de chaque module, sur la base des journées \
                        réalisées. Règlement à 30 jours à réception de la facture, par virement."
            .into(),
        follow_up: "Feuilles d'émargement signées par demi-journée par chaque stagiaire et par \
                    le formateur ; bilan de fin de formation établi par le formateur."
            .into(),
        sanction: "Certificat de réalisation remis au client ; attestation de fin de formation \
                   mentionnant les objectifs, la nature et la durée de l'action remise à chaque \
                   stagiaire."
            .into(),
        signed_on: None,
    }
}

pub fn seventh_day() -> PlannedDay {
    day(
        date(2019, 10, 18),
        3,
        "Journée supplémentaire : retour d'expérience",
        MOULINS,
        "Conseillers techniques, managers et travailleurs sociaux",
        (15, 20),
    )
}

pub fn amendment() -> AmendmentDocument {
    let mut days_after = days();
    days_after.push(seventh_day());
    AmendmentDocument {
        convention_number: "26/19".into(),
        number: 1,
        issued_on: date(2019, 9, 30),
        organisation: organisation(),
        client: client(),
        program_title: program().title,
        reason: Some(
            "À la demande du client, une journée supplémentaire est ajoutée au module 3 pour \
             le retour d'expérience des équipes projets."
                .into(),
        ),
        changes: vec![
            AmendmentChange::AddDays {
                days: vec![seventh_day()],
            },
            AmendmentChange::ChangePrice {
                before: price(6),
                after: price(7),
            },
        ],
        days_after,
        signed_on: Some(date(2019, 10, 4)),
    }
}

pub fn moulins() -> Venue {
    Venue {
        name: "CAF de l'Allier — site de Moulins".into(),
        address_lines: vec!["8 rue Achille Roche".into(), "03000 Moulins".into()],
        room: Some("salle Allier (rez-de-chaussée)".into()),
        access: Some(
            "entrée par l'accueil du public ; parking visiteurs rue de Paris ; gare SNCF de \
             Moulins à 10 minutes à pied"
                .into(),
        ),
        accessibility: Some(
            "locaux de plain-pied, accessibles aux personnes à mobilité réduite".into(),
        ),
    }
}

pub fn vichy() -> Venue {
    Venue {
        name: "CAF de l'Allier — site de Vichy".into(),
        address_lines: vec!["15 rue Lucas".into(), "03200 Vichy".into()],
        room: Some("salle des Célestins".into()),
        access: Some("arrêt de bus « Hôtel de ville » (lignes A et B)".into()),
        accessibility: None,
    }
}

pub fn convocation() -> ConvocationDocument {
    ConvocationDocument {
        issued_on: date(2019, 3, 1),
        organisation: organisation(),
        trainee: Trainee {
            full_name: "Camille DUPONT".into(),
            employer: Some("CAF de l'Allier".into()),
        },
        training_title: program().title,
        session_reference: Some("Session n° 12".into()),
        convention_number: Some("26/19".into()),
        kind: "INTRA".into(),
        days: vec![ConvocationDay {
            day: days().remove(0),
            venue: moulins(),
        }],
        prerequisites: Some("aucun prérequis".into()),
        organisation_contact: Some(Contact {
            name: "Marie LEROY".into(),
            role: Some("assistante de formation".into()),
            email: Some("formation@egoc.org".into()),
            phone: Some("04 70 30 12 34".into()),
        }),
        client_contact: Some(Contact {
            name: "Anne MARTIN".into(),
            role: Some("directrice".into()),
            email: Some("anne.martin@caf03.example".into()),
            phone: None,
        }),
        disability_referent: Contact {
            name: "Sophie BERNARD".into(),
            role: None,
            email: Some("referent-handicap@egoc.org".into()),
            phone: Some("04 70 30 12 35".into()),
        },
        pedagogical_referent: Some(Contact {
            name: "Jean DURAND".into(),
            role: Some("directeur".into()),
            email: Some("jean.durand@egoc.org".into()),
            phone: None,
        }),
        rules_url: "https://formation.egoc.org/reglement-interieur".into(),
        personal_url: "https://formation.egoc.org/s/7f3a9c2e4b1d8a6f0e5c".into(),
    }
}

/// Four registrations of the CTG action, among them the awkward values a spreadsheet export
/// must survive.
pub fn registrations() -> Vec<RegistrationRow> {
    let row = |last: &str, first: &str, status: &str, days: &str, on: NaiveDate| RegistrationRow {
        last_name: last.into(),
        first_name: first.into(),
        email: format!(
            "{}.{}@caf03.example",
            first.to_lowercase(),
            last.to_lowercase()
        ),
        employer: "CAF de l'Allier".into(),
        job_role: "Conseillère technique".into(),
        bpf_type: "Salarié d'employeur privé".into(),
        status: status.into(),
        days: days.into(),
        registered_on: on,
        cancel_reason: None,
    };
    let mut cancelled = row("LEFÈVRE", "Hélène", "annulée", "toutes", date(2019, 2, 18));
    cancelled.cancel_reason = Some("Arrêt maladie; reportée à la session d'automne".into());
    let mut awkward = row(
        "=1+1",
        "Zoé",
        "en liste d'attente (3)",
        "22/03/2019, 12/04/2019",
        date(2019, 3, 2),
    );
    awkward.employer = "Cabinet \"Conseil; Audit\"".into();
    awkward.job_role = "@chef".into();
    vec![
        row(
            "DUPONT",
            "Camille",
            "confirmée",
            "toutes",
            date(2019, 2, 20),
        ),
        row(
            "ÉTIENNE",
            "François",
            "confirmée",
            "22/03/2019, 12/04/2019",
            date(2019, 2, 21),
        ),
        cancelled,
        awkward,
    ]
}

/// Inès MOREL's certificate of `kind` for « Les chantiers locaux de la CTG » (12 and 13 March
/// 2019, 14 h planned): she attended three half-days of four, 10 h 30. The results are given;
/// only the attestation de fin de formation prints them.
pub fn certificate(kind: CertificateKind) -> CertificateDocument {
    CertificateDocument {
        kind,
        organisation: organisation(),
        trainee_name: "Inès MOREL".into(),
        employer: Some("CAF de l'Allier".into()),
        training_title: "Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre"
            .into(),
        nature: ActionNature::Training,
        objectives: vec![
            "situer les chantiers locaux dans la démarche de Convention Territoriale Globale ;"
                .into(),
            "conduire un diagnostic partagé avec les partenaires du territoire ;".into(),
            "construire et animer le plan d'action d'un chantier local.".into(),
        ],
        first_day: date(2019, 3, 12),
        last_day: date(2019, 3, 13),
        place: Some("CAF de l'Allier — site de Moulins, salle Allier".into()),
        planned_minutes: 14 * 60,
        attended_minutes: 10 * 60 + 30,
        half_days: vec![
            "12/03/2019 matin (3 h 30)".into(),
            "12/03/2019 après-midi (3 h 30)".into(),
            "13/03/2019 matin (3 h 30)".into(),
        ],
        results: Some(
            "Évaluation par mise en situation le 13 mars 2019 :\n\
             - objectifs 1 et 2 : acquis ;\n\
             - objectif 3 : en cours d'acquisition (après-midi du 13 mars non suivi)."
                .into(),
        ),
        issued_on: date(2019, 3, 15),
        code: "7KQ2-M9XD-4TBW-HC81".into(),
        verify_url: "https://formation.egoc.org/verifier/7KQ2M9XD4TBWHC81".into(),
        replaces: None,
        public_key_fingerprint: "3f9a0c21b7e4d5a8".into(),
    }
}

/// The synthesis of the evaluations of Inès MOREL's session (« Les chantiers locaux de la
/// CTG », 12 and 13 March 2019, 8 trainees), a week after it ended: the positioning and the hot
/// evaluation are answered, the cold evaluation is not yet.
pub fn evaluation_report() -> forma_documents::evaluation_report::EvaluationReport {
    use forma_documents::evaluation_report::{
        EvaluationReport, ReportAcquisition, ReportBar, ReportKind, ReportProgress, ReportQuestion,
    };
    let bars = |answered: usize, counts: &[(&str, usize)]| -> Vec<ReportBar> {
        counts
            .iter()
            .map(|&(label, count)| ReportBar {
                label: label.into(),
                count,
                percent: format!("{} %", (count * 100 + answered / 2) / answered),
            })
            .collect()
    };
    let closed = |label: &str, answered: usize, counts: &[(&str, usize)]| ReportQuestion {
        label: label.into(),
        answered,
        bars: bars(answered, counts),
        texts: Vec::new(),
    };
    let open = |label: &str, texts: &[&str]| ReportQuestion {
        label: label.into(),
        answered: texts.len(),
        bars: Vec::new(),
        texts: texts.iter().map(|t| t.to_string()).collect(),
    };
    let mastery = |label: &str, answered: usize, counts: [usize; 5]| {
        let labels = [
            "Aucune connaissance",
            "Notions",
            "Je sais faire avec de l'aide",
            "Je sais faire seul",
            "Je sais l'expliquer à d'autres",
        ];
        let pairs: Vec<(&str, usize)> = labels.into_iter().zip(counts).collect();
        closed(label, answered, &pairs)
    };
    let satisfaction = |label: &str, counts: [usize; 4]| {
        let labels = [
            "Pas du tout satisfait",
            "Peu satisfait",
            "Satisfait",
            "Très satisfait",
        ];
        let pairs: Vec<(&str, usize)> = labels.into_iter().zip(counts).collect();
        closed(label, 4, &pairs)
    };
    let objectives = [
        "situer les chantiers locaux dans la démarche de Convention Territoriale Globale",
        "conduire un diagnostic partagé avec les partenaires du territoire",
        "construire et animer le plan d'action d'un chantier local",
    ];
    let mut positioning = vec![
        mastery(objectives[0], 6, [1, 3, 2, 0, 0]),
        mastery(objectives[1], 6, [2, 3, 1, 0, 0]),
        mastery(objectives[2], 6, [3, 2, 1, 0, 0]),
    ];
    let mut experience = open(
        "Depuis combien d'années exercez-vous votre fonction ?",
        &["moyenne 8,5 (de 2 à 19)"],
    );
    experience.answered = 6;
    positioning.extend([
        experience,
        open(
            "Qu'attendez-vous de cette formation ?",
            &[
                "Comprendre ce qu'on attend de nous avec les « chantiers locaux ».",
                "Des outils concrets pour animer un diagnostic, pas seulement de la théorie !",
                "Savoir répondre aux élus quand ils demandent \"la CTG, ça change quoi ?\"",
                "Échanger avec les collègues de Vichy et de Montluçon.",
            ],
        ),
        open(
            "Avez-vous un besoin particulier pour suivre la formation (accessibilité, horaires) ?",
            &["Je dois partir à 16 h 30 le mardi (garde d'enfant)."],
        ),
    ]);
    let hot = vec![
        satisfaction(
            "Dans l'ensemble, êtes-vous satisfait de la formation ?",
            [0, 1, 2, 1],
        ),
        satisfaction("Le contenu", [0, 0, 3, 1]),
        satisfaction("L'animation par le formateur", [0, 0, 1, 3]),
        satisfaction(
            "L'organisation (convocation, salle, horaires)",
            [0, 2, 2, 0],
        ),
        mastery(objectives[0], 4, [0, 0, 1, 2, 1]),
        mastery(objectives[1], 4, [0, 0, 2, 2, 0]),
        mastery(objectives[2], 4, [0, 1, 2, 1, 0]),
        closed(
            "Recommanderiez-vous cette formation à un collègue ?",
            4,
            &[("Oui", 3), ("Non", 0), ("Je ne sais pas", 1)],
        ),
        open(
            "Vos remarques et suggestions",
            &[
                "Très concret, l'exercice du portrait de territoire m'a beaucoup servi.",
                "La salle était trop petite pour le travail en sous-groupes ; prévoir une \
                 deuxième salle.",
                "Il manquait une demi-journée pour finir le plan d'action : « on reste sur \
                 notre faim ».",
            ],
        ),
    ];
    EvaluationReport {
        organisation: organisation(),
        training_title: "Les chantiers locaux de la CTG : de l'acculturation à la mise en œuvre"
            .into(),
        session_label: "Session n° 12 — du 12 au 13 mars 2019, CAF de l'Allier, Moulins".into(),
        trainers: vec!["Thierry CHEINE".into()],
        trainees: 8,
        issued_on: date(2019, 3, 20),
        kinds: vec![
            ReportKind {
                label: "Positionnement (avant la formation)".into(),
                rate: "6 réponses envoyées sur 8 stagiaires (75 %)".into(),
                satisfaction: None,
                questions: positioning,
            },
            ReportKind {
                label: "Évaluation à chaud (fin de formation)".into(),
                rate: "4 réponses envoyées sur 8 stagiaires (50 %), 1 brouillon en cours".into(),
                satisfaction: Some("75 % de satisfaits (4 répondants)".into()),
                questions: hot,
            },
            ReportKind {
                label: "Évaluation à froid".into(),
                rate: "0 réponse envoyée sur 8 stagiaires (0 %)".into(),
                satisfaction: None,
                questions: Vec::new(),
            },
        ],
        progress: vec![
            ReportProgress {
                objective: objectives[0].into(),
                change: "1,8 → 3,8 sur 5".into(),
                trainees: 4,
            },
            ReportProgress {
                objective: objectives[1].into(),
                change: "1,5 → 3,5 sur 5".into(),
                trainees: 4,
            },
            ReportProgress {
                objective: objectives[2].into(),
                change: "1,3 → 3,0 sur 5".into(),
                trainees: 4,
            },
        ],
        assessed: 7,
        acquisition: vec![
            ReportAcquisition {
                objective: objectives[0].into(),
                acquired: 7,
                in_progress: 0,
                not_acquired: 0,
            },
            ReportAcquisition {
                objective: objectives[1].into(),
                acquired: 5,
                in_progress: 2,
                not_acquired: 0,
            },
            ReportAcquisition {
                objective: objectives[2].into(),
                acquired: 4,
                in_progress: 2,
                not_acquired: 1,
            },
        ],
    }
}
