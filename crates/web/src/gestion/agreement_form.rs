//! The convention forms as posted: terms (price, payment, trainees), the number and date of a new
//! convention, and an avenant's typed change. Each reads into domain values or French messages
//! by field, keeping what was typed for the form to come back with.

use chrono::NaiveDate;
use forma_domain::FieldErrors;
use forma_domain::agreement::{AgreementPrice, PriceBasis};
use forma_domain::agreement_number::AgreementNumber;
use forma_domain::amendment::{AmendmentChange, DateMove};
use forma_domain::half_day::{DaySchedule, Slot};
use forma_domain::session::{DayHeadcount, PlannedDay};
use forma_store::AgreementTerms;

use super::editor_form::{FormData, format_amount, parse_amount, parse_date, parse_time};

/// What the payment clause says unless the planner writes otherwise.
pub const DEFAULT_PAYMENT_TERMS: &str =
    "Paiement à réception de la facture, émise à l'issue de la formation, par virement à 30 jours. \
     Aucun acompte n'est demandé.";

/// The terms as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermsForm {
    pub basis: String,
    pub unit_price: String,
    pub quantity: String,
    /// « exonere » or a VAT rate in percent (« 20 »).
    pub vat: String,
    pub payment_terms: String,
    pub trainees: String,
}

impl TermsForm {
    pub fn from_data(data: &FormData) -> Self {
        TermsForm {
            basis: data.get("basis").to_owned(),
            unit_price: data.get("unit_price").to_owned(),
            quantity: data.get("quantity").to_owned(),
            vat: data.get("vat").to_owned(),
            payment_terms: data.get("payment_terms").to_owned(),
            trainees: data.get("trainees").to_owned(),
        }
    }

    pub fn from_terms(terms: &AgreementTerms) -> Self {
        TermsForm {
            basis: terms.price.basis.as_str().to_owned(),
            unit_price: format_amount(terms.price.unit_cents),
            quantity: terms.price.quantity.to_string(),
            vat: terms.price.vat_rate_bp.map_or_else(|| "exonere".to_owned(), |bp| (f64::from(bp) / 100.0).to_string()),
            payment_terms: terms.payment_terms.clone(),
            trainees: terms.trainees.clone(),
        }
    }

    pub fn price(&self, errors: &mut FieldErrors) -> Option<AgreementPrice> {
        let basis = PriceBasis::parse(&self.basis);
        if basis.is_none() {
            errors.add("basis", "Choisissez la base du prix.");
        }
        let unit = parse_amount(&self.unit_price);
        if unit.is_none() {
            errors.add("unit_price", "Indiquez un montant en euros, par exemple 1 200,00.");
        }
        let quantity = self.quantity.trim().parse::<u32>().ok();
        if quantity.is_none() {
            errors.add("quantity", "Indiquez un nombre entier (journées, stagiaires, ou 1 pour un forfait).");
        }
        let vat = match self.vat.trim() {
            "" | "exonere" => Some(None),
            rate => parse_amount(rate).and_then(|r| u32::try_from(r).ok()).map(Some),
        };
        if vat.is_none() {
            errors.add("vat", "Choisissez « exonérée » ou indiquez un taux en pourcentage, par exemple 20.");
        }
        let price = AgreementPrice { basis: basis?, unit_cents: unit?, quantity: quantity?, vat_rate_bp: vat? };
        match price.validated() {
            Ok(p) => Some(p),
            Err(e) => {
                errors.extend(e);
                None
            }
        }
    }

    pub fn terms(&self) -> Result<AgreementTerms, FieldErrors> {
        let mut errors = FieldErrors::default();
        let price = self.price(&mut errors);
        if self.payment_terms.trim().is_empty() || self.payment_terms.chars().count() > 2000 {
            errors.add("payment_terms", "Les modalités de règlement sont une mention obligatoire (2 000 caractères au plus).");
        }
        if self.trainees.chars().count() > 2000 {
            errors.add("trainees", "2 000 caractères au plus.");
        }
        match (price, errors.is_empty()) {
            (Some(price), true) => Ok(AgreementTerms { price, payment_terms: self.payment_terms.trim().to_owned(), trainees: self.trainees.trim().to_owned() }),
            _ => Err(errors),
        }
    }
}

/// A new convention: its client, optional number (the next one of the year otherwise) and date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAgreementForm {
    pub client: String,
    pub number: String,
    pub issued_on: String,
    pub terms: TermsForm,
}

#[derive(Debug)]
pub struct NewAgreement {
    pub client_id: i64,
    pub number: Option<AgreementNumber>,
    pub issued_on: NaiveDate,
    pub terms: AgreementTerms,
}

impl NewAgreementForm {
    pub fn from_data(data: &FormData) -> Self {
        NewAgreementForm {
            client: data.get("client").to_owned(),
            number: data.get("number").to_owned(),
            issued_on: data.get("issued_on").to_owned(),
            terms: TermsForm::from_data(data),
        }
    }

    pub fn read(&self) -> Result<NewAgreement, FieldErrors> {
        let mut errors = FieldErrors::default();
        let client_id = self.client.trim().parse::<i64>().ok();
        if client_id.is_none() {
            errors.add("client", "Choisissez le client signataire.");
        }
        let number = match self.number.trim() {
            "" => Ok(None),
            text => AgreementNumber::parse(text).map(Some),
        };
        if let Err(e) = &number {
            errors.add("number", format!("{}.", capitalize(&e.to_string())));
        }
        let issued_on = parse_date(&self.issued_on);
        if issued_on.is_none() {
            errors.add("issued_on", "Indiquez la date d'émission (jj/mm/aaaa).");
        }
        if let (Ok(Some(n)), Some(d)) = (&number, issued_on)
            && chrono::Datelike::year(&d) != n.year
        {
            errors.add("number", format!("Le numéro {n} est de l'année {} : la date d'émission doit être de la même année.", n.year));
        }
        let terms = self.terms.terms();
        if let Err(e) = &terms {
            errors.extend(e.clone());
        }
        match (client_id, number, issued_on, terms) {
            (Some(client_id), Ok(number), Some(issued_on), Ok(terms)) if errors.is_empty() => Ok(NewAgreement { client_id, number, issued_on, terms }),
            _ => Err(errors),
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// An avenant as typed: its kind, reason, and the fields of that kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmendmentForm {
    pub kind: String,
    pub reason: String,
    pub issued_on: String,
    // add_days: one day.
    pub day_date: String,
    pub day_title: String,
    pub day_module: String,
    pub day_venue: String,
    pub day_room: String,
    pub day_place: String,
    pub day_trainers: Vec<String>,
    pub morning_start: String,
    pub morning_end: String,
    pub afternoon_start: String,
    pub afternoon_end: String,
    pub headcount_min: String,
    pub headcount_max: String,
    pub day_audience: String,
    // move_dates: up to three rows.
    pub move_from: Vec<String>,
    pub move_to: Vec<String>,
    // change_price.
    pub terms: TermsForm,
}

/// Rows offered for moved dates.
pub const MOVE_ROWS: usize = 3;

impl AmendmentForm {
    /// A blank form prefilled from the session's last day (same place, trainers and hours are the
    /// likely case for an added day) and the convention's price.
    pub fn prefilled(last_day: Option<&PlannedDay>, terms: &AgreementTerms, today: NaiveDate) -> Self {
        let schedule = last_day.map(|d| d.schedule).unwrap_or_default();
        let time = |slot: Option<Slot>, end: bool| slot.map(|s| if end { s.end } else { s.start }.format("%H:%M").to_string()).unwrap_or_default();
        AmendmentForm {
            kind: "add_days".into(),
            issued_on: today.format("%Y-%m-%d").to_string(),
            day_title: last_day.map(|d| d.title.clone()).unwrap_or_default(),
            day_module: last_day.and_then(|d| d.module).map(|m| m.to_string()).unwrap_or_default(),
            day_venue: last_day.and_then(|d| d.venue_id).map(|v| v.to_string()).unwrap_or_default(),
            day_room: last_day.and_then(|d| d.room_id).map(|v| v.to_string()).unwrap_or_default(),
            day_place: last_day.map(|d| d.place.clone()).unwrap_or_default(),
            day_trainers: last_day.map(|d| d.trainer_ids.iter().map(i64::to_string).collect()).unwrap_or_default(),
            morning_start: time(schedule.morning, false),
            morning_end: time(schedule.morning, true),
            afternoon_start: time(schedule.afternoon, false),
            afternoon_end: time(schedule.afternoon, true),
            headcount_min: last_day.and_then(|d| d.headcount).map(|h| h.min.to_string()).unwrap_or_default(),
            headcount_max: last_day.and_then(|d| d.headcount).map(|h| h.max.to_string()).unwrap_or_default(),
            day_audience: last_day.map(|d| d.audience.clone()).unwrap_or_default(),
            move_from: vec![String::new(); MOVE_ROWS],
            move_to: vec![String::new(); MOVE_ROWS],
            terms: TermsForm::from_terms(terms),
            ..AmendmentForm::default()
        }
    }

    pub fn from_data(data: &FormData) -> Self {
        let list = |name: &str| data.all(name).into_iter().map(str::to_owned).collect::<Vec<_>>();
        AmendmentForm {
            kind: data.get("kind").to_owned(),
            reason: data.get("reason").to_owned(),
            issued_on: data.get("issued_on").to_owned(),
            day_date: data.get("day_date").to_owned(),
            day_title: data.get("day_title").to_owned(),
            day_module: data.get("day_module").to_owned(),
            day_venue: data.get("day_venue").to_owned(),
            day_room: data.get("day_room").to_owned(),
            day_place: data.get("day_place").to_owned(),
            day_trainers: list("day_trainers"),
            morning_start: data.get("morning_start").to_owned(),
            morning_end: data.get("morning_end").to_owned(),
            afternoon_start: data.get("afternoon_start").to_owned(),
            afternoon_end: data.get("afternoon_end").to_owned(),
            headcount_min: data.get("headcount_min").to_owned(),
            headcount_max: data.get("headcount_max").to_owned(),
            day_audience: data.get("day_audience").to_owned(),
            move_from: pad(list("move_from")),
            move_to: pad(list("move_to")),
            terms: TermsForm::from_data(data),
        }
    }

    pub fn has_trainer(&self, id: &i64) -> bool {
        self.day_trainers.iter().any(|t| t == &id.to_string())
    }

    /// The typed change, the avenant's date and reason; `before` is the convention's price now.
    pub fn read(&self, before: AgreementPrice) -> Result<(AmendmentChange, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::default();
        let issued_on = parse_date(&self.issued_on);
        if issued_on.is_none() {
            errors.add("issued_on", "Indiquez la date de l'avenant (jj/mm/aaaa).");
        }
        if self.reason.chars().count() > 2000 {
            errors.add("reason", "2 000 caractères au plus.");
        }
        let change = match self.kind.as_str() {
            "add_days" => self.added_day(&mut errors).map(|day| AmendmentChange::AddDays { days: vec![day] }),
            "move_dates" => self.moves(&mut errors).map(|moves| AmendmentChange::MoveDates { moves }),
            "change_price" => self.terms.price(&mut errors).map(|after| AmendmentChange::ChangePrice { before, after }),
            _ => {
                errors.add("kind", "Choisissez le type d'avenant.");
                None
            }
        };
        match (change, issued_on) {
            (Some(change), Some(date)) if errors.is_empty() => Ok((change, date)),
            _ => Err(errors),
        }
    }

    fn added_day(&self, errors: &mut FieldErrors) -> Option<PlannedDay> {
        let date = parse_date(&self.day_date);
        if date.is_none() {
            errors.add("days[0].date", "Indiquez la date de la journée ajoutée (jj/mm/aaaa).");
        }
        let slot = |start: &str, end: &str, field: &str, errors: &mut FieldErrors| -> Option<Slot> {
            match (start.trim(), end.trim()) {
                ("", "") => None,
                (s, e) => match (parse_time(s), parse_time(e)) {
                    (Some(start), Some(end)) => Some(Slot { start, end }),
                    _ => {
                        errors.add(field, "Indiquez les heures au format 09:00.");
                        None
                    }
                },
            }
        };
        let schedule = DaySchedule {
            morning: slot(&self.morning_start, &self.morning_end, "days[0].schedule", errors),
            afternoon: slot(&self.afternoon_start, &self.afternoon_end, "days[0].schedule", errors),
        };
        let number = |text: &str| text.trim().parse::<i64>().ok();
        let headcount = match (self.headcount_min.trim(), self.headcount_max.trim()) {
            ("", "") => None,
            (min, max) => match (min.parse::<u32>(), max.parse::<u32>()) {
                (Ok(min), Ok(max)) => Some(DayHeadcount { min, max }),
                _ => {
                    errors.add("days[0].headcount", "Indiquez l'effectif minimum et maximum en nombres entiers.");
                    None
                }
            },
        };
        Some(PlannedDay {
            date: date?,
            module: self.day_module.trim().parse().ok(),
            title: self.day_title.trim().to_owned(),
            schedule,
            venue_id: number(&self.day_venue),
            room_id: number(&self.day_room),
            place: self.day_place.trim().to_owned(),
            trainer_ids: self.day_trainers.iter().filter_map(|t| number(t)).collect(),
            audience: self.day_audience.trim().to_owned(),
            headcount,
        })
    }

    fn moves(&self, errors: &mut FieldErrors) -> Option<Vec<DateMove>> {
        let mut moves = Vec::new();
        for (i, (from, to)) in self.move_from.iter().zip(&self.move_to).enumerate() {
            match (from.trim(), to.trim()) {
                ("", "") => {}
                (f, t) => match (parse_date(f), parse_date(t)) {
                    (Some(from), Some(to)) => moves.push(DateMove { from, to }),
                    _ => errors.add(format!("moves[{i}].to"), "Indiquez l'ancienne et la nouvelle date (jj/mm/aaaa)."),
                },
            }
        }
        Some(moves)
    }
}

fn pad(mut rows: Vec<String>) -> Vec<String> {
    rows.resize(rows.len().max(MOVE_ROWS), String::new());
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> FormData {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        FormData::parse(body.as_bytes())
    }

    #[test]
    fn terms_read_french_amounts_and_refuse_gaps() {
        let form = TermsForm::from_data(&data(&[("basis", "per_group_day"), ("unit_price", "1 200,00"), ("quantity", "6"), ("vat", "exonere"), ("payment_terms", "30 jours")]));
        let terms = form.terms().unwrap();
        assert_eq!(terms.price.total_excl_tax_cents(), 720_000);
        assert_eq!(TermsForm::from_terms(&terms).unit_price, "1 200,00");
        let bad = TermsForm::from_data(&data(&[("basis", "x"), ("unit_price", "abc"), ("quantity", "-1"), ("vat", "beaucoup")]));
        let errors = bad.terms().unwrap_err();
        for field in ["basis", "unit_price", "quantity", "vat", "payment_terms"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn a_number_belongs_to_the_year_it_is_issued() {
        let mut pairs = vec![("client", "1"), ("number", "26/19"), ("issued_on", "2019-02-15"), ("basis", "flat"), ("unit_price", "900"), ("quantity", "1"), ("vat", "20"), ("payment_terms", "30 jours")];
        let ok = NewAgreementForm::from_data(&data(&pairs)).read().unwrap();
        assert_eq!(ok.number.unwrap().to_string(), "26/19");
        assert_eq!(ok.terms.price.vat_rate_bp, Some(2000));
        pairs[2] = ("issued_on", "2020-01-03");
        assert!(NewAgreementForm::from_data(&data(&pairs)).read().unwrap_err().get("number").unwrap().contains("même année"));
        pairs[1] = ("number", "26-19");
        assert!(NewAgreementForm::from_data(&data(&pairs)).read().unwrap_err().get("number").unwrap().starts_with("Numéro de convention invalide"));
    }

    #[test]
    fn an_avenant_reads_its_kind() {
        let before = AgreementPrice { basis: PriceBasis::PerGroupDay, unit_cents: 120_000, quantity: 6, vat_rate_bp: None };
        let add = AmendmentForm::from_data(&data(&[("kind", "add_days"), ("issued_on", "2019-09-01"), ("day_date", "04/10/2019"), ("morning_start", "09:00"), ("morning_end", "12:30"), ("day_trainers", "1"), ("day_trainers", "2"), ("day_place", "Moulins")]));
        let (change, _) = add.read(before).unwrap();
        let AmendmentChange::AddDays { days } = change else { panic!("add days") };
        assert_eq!((days[0].trainer_ids.clone(), days[0].schedule.afternoon), (vec![1, 2], None));
        let moved = AmendmentForm::from_data(&data(&[("kind", "move_dates"), ("issued_on", "2019-09-01"), ("move_from", "13/09/2019"), ("move_to", "demain")]));
        assert!(moved.read(before).unwrap_err().get("moves[0].to").is_some());
        assert!(AmendmentForm::from_data(&data(&[("kind", "?")])).read(before).unwrap_err().get("kind").is_some());
    }
}
