use forma_domain::parse_catalogue_page;
use proptest::prelude::*;

use super::*;

const SEED: &str = include_str!("../../../fixtures/seed/caf03-ctg-acculturation.txt");

fn catalogue() -> Vec<Program> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../forma/demo/catalogue");
    let mut all = vec![parse_catalogue_page(SEED).unwrap()];
    for entry in std::fs::read_dir(dir).unwrap() {
        all.push(parse_catalogue_page(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap());
    }
    all
}

fn index() -> (SearchIndex, String) {
    let all = catalogue();
    let seed_slug = all[0].slug.to_string();
    let index = SearchIndex::new().unwrap();
    index.rebuild(&all).unwrap();
    (index, seed_slug)
}

#[test]
fn accent_and_plural_insensitive_queries_find_the_seed() {
    let (index, seed) = index();
    for q in ["equipes pluridisciplinaires", "conventions territoriales", "acculturation", "Équipe pluridisciplinaire", "ACCULTURATION CTG"] {
        let results = index.search(q, 0, 50).unwrap();
        assert!(results.hits.iter().any(|h| h.slug == seed), "{q} finds the seed sheet");
    }
}

#[test]
fn sheets_holding_every_word_come_first() {
    let (index, seed) = index();
    let results = index.search("equipes pluridisciplinaires", 0, 50).unwrap();
    assert!(!results.partial);
    assert!(results.hits.iter().position(|h| h.slug == seed).unwrap() < 3, "{:?}", results.hits.iter().map(|h| &h.slug).collect::<Vec<_>>());
    let partial = index.search("acculturation zzzzqqq", 0, 50).unwrap();
    assert!(partial.partial);
    assert_eq!(partial.hits[0].slug, seed);
}

#[test]
fn excerpts_are_highlighted_and_escaped() {
    let (index, seed) = index();
    let results = index.search("acculturation", 0, 10).unwrap();
    assert!(results.hits.iter().any(|h| h.slug == seed));
    let excerpter = results.excerpter.unwrap();
    let seed_text = program_text(&catalogue()[0]);
    let excerpt = excerpter.excerpt_html(&seed_text);
    assert!(excerpt.contains("<mark>"), "{excerpt}");
    let hostile = excerpter.excerpt_html("<script>alert(1)</script> une journée d'acculturation");
    assert!(hostile.contains("&lt;script&gt;") && hostile.contains("<mark>acculturation</mark>"), "{hostile}");
    let unrelated = excerpter.excerpt_html("Un texte sans rapport <b>gras</b>");
    assert!(!unrelated.contains("<b>"), "{unrelated}");
}

#[test]
fn title_matches_rank_above_body_matches() {
    let (index, _) = index();
    // « tension » is in a title (accueil en situation de tension) and in other sheets' bodies.
    let results = index.search("tension", 0, 50).unwrap();
    assert!(results.total >= 2, "{:?}", results.hits);
    let first_title_rank = results.hits.iter().position(|h| h.title.to_lowercase().contains("tension")).unwrap();
    let first_body_only = results.hits.iter().position(|h| !h.title.to_lowercase().contains("tension")).unwrap();
    assert!(first_title_rank < first_body_only);
}

#[test]
fn hopeless_and_empty_queries_return_nothing_without_error() {
    let (index, _) = index();
    assert_eq!(index.search("", 0, 10).unwrap().total, 0);
    assert_eq!(index.search("  ::: \"\" ", 0, 10).unwrap().total, 0);
    assert_eq!(index.search("zzzzqqq", 0, 10).unwrap().total, 0);
    assert!(index.search("title:acculturation AND (", 0, 10).unwrap().total > 0);
}

#[test]
fn rebuilding_in_batches_gives_the_same_index() {
    let all = catalogue();
    let index = SearchIndex::new().unwrap();
    index.rebuild(&all[..3]).unwrap();
    let mut rebuild = index.start_rebuild().unwrap();
    for chunk in all.chunks(5) {
        rebuild.add(chunk).unwrap();
    }
    assert_eq!(index.len(), 3, "searches see the old index until the rebuild is finished");
    rebuild.finish().unwrap();
    assert_eq!(index.len(), all.len() as u64);
}

#[test]
fn upsert_replaces_a_sheet() {
    let (index, _) = index();
    let n = index.len();
    let mut p = catalogue().remove(0);
    p.title = "Titre entièrement nouveau xylophone".into();
    index.upsert(&[p]).unwrap();
    assert_eq!(index.len(), n);
    assert_eq!(index.search("xylophone", 0, 10).unwrap().total, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn accented_and_folded_queries_match_the_same_sheets(word in prop::sample::select(vec![
        "sécurité", "équipe", "territoire", "élaborer", "réunion", "médiation", "accompagnement", "démarche", "ressources",
    ])) {
        let index = SearchIndex::new().unwrap();
        index.rebuild(&catalogue()[..8]).unwrap();
        let folded = deunicode_word(word);
        let a: Vec<String> = index.search(word, 0, 100).unwrap().hits.into_iter().map(|h| h.slug).collect();
        let b: Vec<String> = index.search(&folded, 0, 100).unwrap().hits.into_iter().map(|h| h.slug).collect();
        prop_assert_eq!(a, b);
    }
}

fn deunicode_word(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' => 'e',
            'à' | 'â' => 'a',
            c => c,
        })
        .collect()
}
