//! The regular expressions the importer uses to read structured values out of French prose,
//! compiled once.

use std::sync::LazyLock;

use regex::Regex;

macro_rules! pattern {
    ($name:ident, $re:expr) => {
        pub fn $name() -> &'static Regex {
            static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new($re).expect("valid pattern"));
            &RE
        }
    };
}

pattern!(french_date, r"(?i)\b(\d{1,2})(?:er)?\s+(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)(?:\s+(\d{4}))?");
pattern!(days_count, r"(?i)\b(\d{1,3})\s*(?:jours?|journées?)\b");
pattern!(hours_per_day, r"(?i)\b(\d{1,2})\s*(?:heures?|h)\s*(?:de\s+formation\s*)?(?:/|par)\s*jour");
pattern!(hours_total, r"(?i)\b(\d{1,4})\s*heures?\b");
pattern!(daily_hours, r"(?i)\b(\d{1,2})\s*h\s*(\d{2})?\s*(?:à|-|–|—)\s*(\d{1,2})\s*h\s*(\d{2})?");
pattern!(headcount, r"(?i)entre\s+(\d{1,4})\s+et\s+(\d{1,4})\s+(?:personnes|participants|stagiaires|agents)");
pattern!(day_range, r"(?i)\b(?:J|jours?\s*|journées?\s*)(\d{1,2})(?:\s*(?:à|-|–|et)\s*J?(\d{1,2}))?\b");
pattern!(phone, r"(?:\+33\s?|\b0)[1-9](?:[ .\u{a0}]?\d{2}){4}\b");
pattern!(email, r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b");
pattern!(delay, r"(?i)\b(\d{1,3})\s*(jours?|semaines?|mois)\b");
pattern!(price, r"(?i)(\d{1,3}(?:[ \u{a0}\u{202f}.]?\d{3})*(?:,\d{1,2})?)\s*(?:€|euros?)");
pattern!(percent, r"(\d{1,3}(?:[,.]\d)?)\s*%");
pattern!(respondents, r"(?i)(\d{1,6})\s*(?:répondants?|réponses?|avis)");
pattern!(module_day, r"(?i)module\s+(\d{1,2})\s*(?::|-|–)?\s*(?:journée\s+(\d{1,2}))?");
pattern!(day_heading, r"(?i)^journée\s+(\d{1,2})\b");
