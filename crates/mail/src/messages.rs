//! The messages Forma sends, in French, each as a plain-text and an HTML part rendered from
//! `templates/<name>.txt` and `templates/<name>.html` (askama escapes the HTML part only).
//!
//! Every message carrying a personal link says what the link is for, until when it works, and
//! that one can ignore the message if one did not ask: people are rightly wary of unexpected
//! links, and the wording is what lets them tell ours from phishing.

use askama::Template;
use forma_store::OutgoingMail;

/// What every templated message is made of. `valid_until` is a French date phrase that reads
/// after « jusqu'au », e.g. « 12 mars 2026 à 18 h 00 ».
struct Fields<'a> {
    subject: &'a str,
    org: &'a str,
    email: &'a str,
    name: &'a str,
    link: &'a str,
    valid_until: &'a str,
    /// What the message is about: a training and its dates, « » when not needed.
    about: &'a str,
}

#[derive(Template)]
#[template(path = "account_setup.txt")]
struct AccountSetupText<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "account_setup.html")]
struct AccountSetupHtml<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "password_reset.txt")]
struct PasswordResetText<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct PasswordResetHtml<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "trainee_access.txt")]
struct TraineeAccessText<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "trainee_access.html")]
struct TraineeAccessHtml<'a> {
    m: &'a Fields<'a>,
}

fn compose(m: &Fields<'_>, text: &impl Template, html: &impl Template) -> OutgoingMail {
    // Rendering string fields into a String has no failure case (askama fails only when a
    // value's Display or a filter does).
    let render = |t: &dyn askama::DynTemplate| t.dyn_render().expect("a message template renders");
    OutgoingMail { recipient: m.email.to_owned(), subject: m.subject.to_owned(), text: render(text), html: render(html) }
}

/// The first message of a staff, trainer or client account: a link to choose a password.
pub fn account_setup(org: &str, recipient_email: &str, recipient_name: &str, link: &str, valid_until: &str) -> OutgoingMail {
    let m = Fields {
        subject: "Votre compte Forma : choisissez votre mot de passe",
        org,
        email: recipient_email,
        name: recipient_name,
        link,
        valid_until,
        about: "",
    };
    compose(&m, &AccountSetupText { m: &m }, &AccountSetupHtml { m: &m })
}

/// A link to choose a new password, sent on request from the login page.
pub fn password_reset(org: &str, recipient_email: &str, recipient_name: &str, link: &str, valid_until: &str) -> OutgoingMail {
    let m = Fields {
        subject: "Réinitialisation de votre mot de passe",
        org,
        email: recipient_email,
        name: recipient_name,
        link,
        valid_until,
        about: "",
    };
    compose(&m, &PasswordResetText { m: &m }, &PasswordResetHtml { m: &m })
}

/// A trainee's personal link to their space (no password: trainees sign in by link).
pub fn trainee_access(org: &str, recipient_email: &str, recipient_name: &str, link: &str, valid_until: &str) -> OutgoingMail {
    let m = Fields {
        subject: "Votre accès à votre espace stagiaire",
        org,
        email: recipient_email,
        name: recipient_name,
        link,
        valid_until,
        about: "",
    };
    compose(&m, &TraineeAccessText { m: &m }, &TraineeAccessHtml { m: &m })
}

#[derive(Template)]
#[template(path = "registration_confirm.txt")]
struct RegistrationConfirmText<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "registration_confirm.html")]
struct RegistrationConfirmHtml<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "seat_offer.txt")]
struct SeatOfferText<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "seat_offer.html")]
struct SeatOfferHtml<'a> {
    m: &'a Fields<'a>,
}

/// A registration made on the public page: the link that confirms the address (double opt-in).
/// `training` reads « Acculturation CTG, du 8 au 9 avril 2027 ».
pub fn registration_confirm(org: &str, recipient_email: &str, recipient_name: &str, training: &str, link: &str, valid_until: &str) -> OutgoingMail {
    let m = Fields {
        subject: "Confirmez votre inscription",
        org,
        email: recipient_email,
        name: recipient_name,
        link,
        valid_until,
        about: training,
    };
    compose(&m, &RegistrationConfirmText { m: &m }, &RegistrationConfirmHtml { m: &m })
}

#[derive(Template)]
#[template(path = "convocation.txt")]
struct ConvocationText<'a> {
    m: &'a Fields<'a>,
}

#[derive(Template)]
#[template(path = "convocation.html")]
struct ConvocationHtml<'a> {
    m: &'a Fields<'a>,
}

/// A registered trainee's convocation: the training, and the personal link to its PDF (dates,
/// hours, place, access, contacts) and to the registration.
pub fn convocation(org: &str, recipient_email: &str, recipient_name: &str, training: &str, link: &str, valid_until: &str) -> OutgoingMail {
    let m = Fields {
        subject: "Votre convocation à la formation",
        org,
        email: recipient_email,
        name: recipient_name,
        link,
        valid_until,
        about: training,
    };
    compose(&m, &ConvocationText { m: &m }, &ConvocationHtml { m: &m })
}

/// A seat freed on a session: offered to the person first on the waiting list until `valid_until`.
pub fn seat_offer(org: &str, recipient_email: &str, recipient_name: &str, training: &str, link: &str, valid_until: &str) -> OutgoingMail {
    let m = Fields {
        subject: "Une place s'est libérée : répondez avant l'échéance",
        org,
        email: recipient_email,
        name: recipient_name,
        link,
        valid_until,
        about: training,
    };
    compose(&m, &SeatOfferText { m: &m }, &SeatOfferHtml { m: &m })
}

/// What the notices to staff, trainers and client contacts are made of (accommodations,
/// absences): no personal link; accommodation notices never carry the need itself (health
/// details stay in the back-office).
struct Notice<'a> {
    subject: &'a str,
    org: &'a str,
    name: &'a str,
    training: &'a str,
    /// The back-office page of the request (to the référent).
    link: &'a str,
    /// The trainee's name and what the trainer must know (to the trainer).
    trainee: &'a str,
    note: &'a str,
}

#[derive(Template)]
#[template(path = "accommodation_received.txt")]
struct AccommodationReceivedText<'a> {
    m: &'a Notice<'a>,
}

#[derive(Template)]
#[template(path = "accommodation_received.html")]
struct AccommodationReceivedHtml<'a> {
    m: &'a Notice<'a>,
}

#[derive(Template)]
#[template(path = "accommodation_communicated.txt")]
struct AccommodationCommunicatedText<'a> {
    m: &'a Notice<'a>,
}

#[derive(Template)]
#[template(path = "accommodation_communicated.html")]
struct AccommodationCommunicatedHtml<'a> {
    m: &'a Notice<'a>,
}

fn compose_notice(recipient: &str, m: &Notice<'_>, text: &impl Template, html: &impl Template) -> OutgoingMail {
    let render = |t: &dyn askama::DynTemplate| t.dyn_render().expect("a message template renders");
    OutgoingMail { recipient: recipient.to_owned(), subject: m.subject.to_owned(), text: render(text), html: render(html) }
}

/// Tells the référent handicap that an accommodation request arrived, with the link to its
/// back-office page: nothing of the request itself, nor who made it.
pub fn accommodation_received(org: &str, recipient_email: &str, recipient_name: &str, training: &str, link: &str) -> OutgoingMail {
    let m = Notice { subject: "Nouvelle demande d'aménagement", org, name: recipient_name, training, link, trainee: "", note: "" };
    compose_notice(recipient_email, &m, &AccommodationReceivedText { m: &m }, &AccommodationReceivedHtml { m: &m })
}

/// Tells a trainer the accommodation decided for a trainee: the communicated note only (written
/// without health details), never the need.
pub fn accommodation_communicated(org: &str, recipient_email: &str, recipient_name: &str, training: &str, trainee: &str, note: &str) -> OutgoingMail {
    let m = Notice { subject: "Aménagement à prévoir pour une formation", org, name: recipient_name, training, link: "", trainee, note };
    compose_notice(recipient_email, &m, &AccommodationCommunicatedText { m: &m }, &AccommodationCommunicatedHtml { m: &m })
}

#[derive(Template)]
#[template(path = "attendance_alert.txt")]
struct AttendanceAlertText<'a> {
    m: &'a Notice<'a>,
}

#[derive(Template)]
#[template(path = "attendance_alert.html")]
struct AttendanceAlertHtml<'a> {
    m: &'a Notice<'a>,
}

/// Tells the training body (or the client contact, for an INTRA session) that a trainee missed a
/// half-day, so that someone gets in touch before the trainee drops out (Qualiopi indicator 12).
/// `when` reads after « absent(e) » : « le matin du lundi 22 mars 2027 »; `link` opens the
/// follow-up (back-office) or the agents' registrations (client space).
pub fn attendance_alert(org: &str, recipient_email: &str, recipient_name: &str, training: &str, trainee: &str, when: &str, link: &str) -> OutgoingMail {
    let m = Notice { subject: "Absence à une demi-journée de formation", org, name: recipient_name, training, link, trainee, note: when };
    compose_notice(recipient_email, &m, &AttendanceAlertText { m: &m }, &AttendanceAlertHtml { m: &m })
}

#[derive(Template)]
#[template(path = "certificates_issued.txt")]
struct CertificatesIssuedText<'a> {
    m: &'a Notice<'a>,
}

#[derive(Template)]
#[template(path = "certificates_issued.html")]
struct CertificatesIssuedHtml<'a> {
    m: &'a Notice<'a>,
}

/// Tells a trainee their end-of-training documents are issued; `list` has one line per document,
/// « Certificat de réalisation : https://…/verifier/…/document.pdf ».
pub fn certificates_issued(org: &str, recipient_email: &str, recipient_name: &str, training: &str, list: &str) -> OutgoingMail {
    let m = Notice { subject: "Vos documents de fin de formation", org, name: recipient_name, training, link: "", trainee: "", note: list };
    compose_notice(recipient_email, &m, &CertificatesIssuedText { m: &m }, &CertificatesIssuedHtml { m: &m })
}

#[derive(Template)]
#[template(path = "evaluation_reminder.txt")]
struct EvaluationReminderText<'a> {
    m: &'a Notice<'a>,
}

#[derive(Template)]
#[template(path = "evaluation_reminder.html")]
struct EvaluationReminderHtml<'a> {
    m: &'a Notice<'a>,
}

/// Reminds a trainee of a questionnaire they have not answered (`questionnaire`: its name), with
/// a link that opens it directly, valid `until` (« 12 mars 2026 »).
pub fn evaluation_reminder(org: &str, recipient_email: &str, recipient_name: &str, training: &str, questionnaire: &str, link: &str, until: &str) -> OutgoingMail {
    let m = Notice { subject: "Rappel : votre avis sur la formation", org, name: recipient_name, training, link, trainee: questionnaire, note: until };
    compose_notice(recipient_email, &m, &EvaluationReminderText { m: &m }, &EvaluationReminderHtml { m: &m })
}

#[derive(Template)]
#[template(path = "client_appreciation.txt")]
struct ClientAppreciationText<'a> {
    m: &'a Notice<'a>,
    reminder: bool,
}

#[derive(Template)]
#[template(path = "client_appreciation.html")]
struct ClientAppreciationHtml<'a> {
    m: &'a Notice<'a>,
    reminder: bool,
}

#[derive(Template)]
#[template(path = "trainer_review.txt")]
struct TrainerReviewText<'a> {
    m: &'a Notice<'a>,
    reminder: bool,
}

#[derive(Template)]
#[template(path = "trainer_review.html")]
struct TrainerReviewHtml<'a> {
    m: &'a Notice<'a>,
    reminder: bool,
}

/// What a request for a client's or trainer's appreciation says: the session (`dates`: « du 8
/// au 9 avril 2027 »), the form's address and until when it is open, and whether it is a reminder.
pub struct AppreciationRequest<'a> {
    pub training: &'a str,
    pub dates: &'a str,
    pub link: &'a str,
    pub until: &'a str,
    pub reminder: bool,
}

/// Asks a client contact for the organisation's appreciation of a session that ends, or
/// reminds them of it; the link leads to the form in the client space.
pub fn client_appreciation(org: &str, recipient_email: &str, recipient_name: &str, r: &AppreciationRequest<'_>) -> OutgoingMail {
    let subject = if r.reminder { "Rappel : votre appréciation de la formation" } else { "Votre appréciation de la formation" };
    let m = Notice { subject, org, name: recipient_name, training: r.training, link: r.link, trainee: r.dates, note: r.until };
    compose_notice(recipient_email, &m, &ClientAppreciationText { m: &m, reminder: r.reminder }, &ClientAppreciationHtml { m: &m, reminder: r.reminder })
}

/// Asks a trainer for their review of a session that ends, or reminds them of it; the link
/// leads to the form in the trainer space.
pub fn trainer_review(org: &str, recipient_email: &str, recipient_name: &str, r: &AppreciationRequest<'_>) -> OutgoingMail {
    let subject = if r.reminder { "Rappel : votre bilan de la session" } else { "Votre bilan de la session" };
    let m = Notice { subject, org, name: recipient_name, training: r.training, link: r.link, trainee: r.dates, note: r.until };
    compose_notice(recipient_email, &m, &TrainerReviewText { m: &m, reminder: r.reminder }, &TrainerReviewHtml { m: &m, reminder: r.reminder })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://formation.example.org/acces/Zm9ybWEtdGVzdA";
    const UNTIL: &str = "12 mars 2026 à 18 h 00";

    fn all(name: &str) -> [OutgoingMail; 3] {
        [
            account_setup("EGOC", "jeanne@example.org", name, LINK, UNTIL),
            password_reset("EGOC", "jeanne@example.org", name, LINK, UNTIL),
            trainee_access("EGOC", "jeanne@example.org", name, LINK, UNTIL),
        ]
    }

    #[test]
    fn appreciation_requests_name_the_session_and_say_when_they_are_reminders() {
        let dates = "du 8 au 9 avril 2031";
        for reminder in [false, true] {
            let r = AppreciationRequest { training: "Acculturation CTG", dates, link: LINK, until: UNTIL, reminder };
            for mail in [client_appreciation("EGOC", "chef@caf.example", "Marie <Chef>", &r), trainer_review("EGOC", "thierry@example.org", "Marie <Chef>", &r)] {
                check(&mail, reminder);
            }
        }
        fn check(mail: &OutgoingMail, reminder: bool) {
            assert_eq!(mail.subject.starts_with("Rappel"), reminder, "{}", mail.subject);
            assert!(mail.text.contains("« Acculturation CTG » (du 8 au 9 avril 2031)") && mail.text.contains(&format!("jusqu'au {UNTIL}")), "{}", mail.text);
            assert!(mail.text.contains(LINK) && mail.html.contains(LINK), "{}", mail.text);
            assert!(mail.html.contains("Marie &#60;Chef&#62;") && !mail.html.contains("<Chef>"), "{}", mail.html);
            assert_eq!(mail.text.contains("s'achève"), !reminder, "{}", mail.text);
        }
    }

    #[test]
    fn registration_messages_name_the_training_and_the_deadline() {
        let training = "Acculturation CTG, le 8 avril 2031";
        for mail in [
            registration_confirm("EGOC", "jeanne@example.org", "Jeanne Dupont", training, LINK, UNTIL),
            seat_offer("EGOC", "jeanne@example.org", "Jeanne Dupont", training, LINK, UNTIL),
            convocation("EGOC", "jeanne@example.org", "Jeanne Dupont", training, LINK, UNTIL),
        ] {
            for part in [&mail.text, &mail.html] {
                assert!(part.contains(LINK) && part.contains("Jeanne Dupont") && part.contains("ignore"), "{part}");
            }
            assert!(mail.text.contains(&format!("« {training} »")) && mail.text.contains(&format!("jusqu'au {UNTIL}")), "{}", mail.text);
            assert!(mail.html.contains("« Acculturation CTG, le 8 avril 2031 »"), "{}", mail.html);
        }
    }

    #[test]
    fn each_message_carries_its_link_deadline_and_way_out_in_both_parts() {
        for mail in all("Jeanne Dupont") {
            assert_eq!(mail.recipient, "jeanne@example.org");
            for part in [&mail.text, &mail.html] {
                assert!(part.contains(LINK), "{}: link missing in\n{part}", mail.subject);
                assert!(part.contains("Bonjour Jeanne Dupont,"), "{}", mail.subject);
                assert!(part.contains("valable jusqu'au"), "{}", mail.subject);
                assert!(part.contains("ignorer ce message") || part.contains("vous pouvez l'ignorer"), "{}", mail.subject);
                assert!(part.contains("EGOC"), "{}", mail.subject);
            }
            assert!(mail.text.contains(UNTIL), "the plain part is unescaped: {}", mail.text);
            assert!(mail.html.contains(&format!("<a href=\"{LINK}\">")), "{}", mail.html);
            assert!(!mail.text.contains('<'), "no markup in the plain part: {}", mail.text);
        }
        let subjects = all("x").map(|m| m.subject);
        assert_eq!(
            subjects,
            [
                "Votre compte Forma : choisissez votre mot de passe",
                "Réinitialisation de votre mot de passe",
                "Votre accès à votre espace stagiaire"
            ]
        );
    }

    #[test]
    fn names_are_escaped_in_html_and_left_alone_in_text() {
        let name = "Zoé <b>O'Brien</b> & \"Cie\"";
        for mail in all(name) {
            assert!(mail.text.contains(name), "{}", mail.text);
            assert!(!mail.html.contains("<b>"), "{}", mail.html);
            assert!(mail.html.contains("Zoé &#60;b&#62;O&#39;Brien&#60;/b&#62; &#38; &#34;Cie&#34;"), "{}", mail.html);
        }
    }
    #[test]
    fn accommodation_messages_carry_no_request_text() {
        let mail = accommodation_received("EGOC", "referent@example.org", "Marie Curie", "Acculturation CTG, le 8 avril 2031", "https://f.example/gestion/amenagements/3");
        assert_eq!(mail.recipient, "referent@example.org");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("https://f.example/gestion/amenagements/3") && part.contains("Bonjour Marie Curie,") && part.contains("n'en reprend pas le contenu"), "{part}");
        }
        let mail = accommodation_communicated("EGOC", "f@example.org", "Paul <Formateur>", "CTG", "Jeanne Dupont", "Salle de plain-pied & pauses");
        assert!(mail.text.contains("Salle de plain-pied & pauses") && mail.text.contains("Jeanne Dupont") && mail.text.contains("Bonjour Paul <Formateur>,"), "{}", mail.text);
        assert!(mail.html.contains("Salle de plain-pied &#38; pauses") && !mail.html.contains("<Formateur>"), "{}", mail.html);
    }

    #[test]
    fn an_absence_alert_names_the_trainee_the_half_day_and_the_follow_up() {
        let mail = attendance_alert("EGOC", "g@example.org", "Gaëlle", "CTG <1>", "Jeanne Dupont", "le matin du lundi 22 mars 2027", "https://f.example.org/gestion/suivi-assiduite");
        assert_eq!(mail.subject, "Absence à une demi-journée de formation");
        assert!(mail.text.contains("Jeanne Dupont n'a pas émargé le matin du lundi 22 mars 2027 à la formation « CTG <1> »"), "{}", mail.text);
        assert!(mail.html.contains("href=\"https://f.example.org/gestion/suivi-assiduite\"") && mail.html.contains("CTG &#60;1&#62;"), "{}", mail.html);
    }
}
