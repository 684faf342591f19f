//! Catalogue search: an in-memory tantivy index rebuilt from the store at start and updated on
//! each change. The French analyzer folds accents *before* stemming, so that `securite` finds
//! « sécurité » and `equipes pluridisciplinaires` finds « équipes projet pluridisciplinaires ».

mod text;

use std::sync::Mutex;

use forma_domain::Program;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term, doc};

pub use text::program_text;

const ANALYZER: &str = "fr";
/// A title match weighs this many times a body match.
const TITLE_BOOST: f32 = 4.0;
const WRITER_HEAP: usize = 15_000_000;

#[derive(Debug, thiserror::Error)]
#[error("index de recherche : {0}")]
pub struct SearchError(#[from] tantivy::TantivyError);

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub slug: String,
    pub title: String,
    /// An excerpt of the body with the matched words in `<mark>`; HTML-escaped.
    pub excerpt_html: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// No sheet holds every word: these hold at least one.
    pub partial: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    slug: Field,
    title: Field,
    body: Field,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Writes are rare (import, edit); one at a time.
    write_lock: Mutex<()>,
}

/// lowercase → French stop words → ASCII folding → French stemmer. The order matters: stemming
/// before folding misses unaccented queries.
fn french_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default()).filter(RemoveLongFilter::limit(40)).filter(LowerCaser);
    match StopWordFilter::new(Language::French) {
        Some(stop) => builder
            .filter(stop)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::French))
            .build(),
        None => builder.filter(AsciiFoldingFilter).filter(Stemmer::new(Language::French)).build(),
    }
}

impl SearchIndex {
    pub fn new() -> Result<Self, SearchError> {
        let mut schema = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let slug = schema.add_text_field("slug", STRING | STORED);
        let title = schema.add_text_field("title", TextOptions::default().set_indexing_options(indexing.clone()).set_stored());
        let body = schema.add_text_field("body", TextOptions::default().set_indexing_options(indexing).set_stored());
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER, french_analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, fields: Fields { slug, title, body }, write_lock: Mutex::new(()) })
    }

    fn write(&self, apply: impl FnOnce(&mut tantivy::IndexWriter<TantivyDocument>, Fields) -> tantivy::Result<()>) -> Result<(), SearchError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut writer = self.index.writer_with_num_threads(1, WRITER_HEAP)?;
        apply(&mut writer, self.fields)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the whole index with these sheets.
    pub fn rebuild(&self, programs: &[Program]) -> Result<(), SearchError> {
        self.write(|writer, f| {
            writer.delete_all_documents()?;
            for p in programs {
                writer.add_document(doc!(f.slug => p.slug.as_str(), f.title => p.title.as_str(), f.body => program_text(p)))?;
            }
            Ok(())
        })
    }

    /// Adds or replaces sheets (after an import or an edit).
    pub fn upsert(&self, programs: &[Program]) -> Result<(), SearchError> {
        self.write(|writer, f| {
            for p in programs {
                writer.delete_term(Term::from_field_text(f.slug, p.slug.as_str()));
                writer.add_document(doc!(f.slug => p.slug.as_str(), f.title => p.title.as_str(), f.body => program_text(p)))?;
            }
            Ok(())
        })
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches titles and bodies; `offset`/`limit` page through the results, best first.
    pub fn search(&self, query: &str, offset: usize, limit: usize) -> Result<SearchResults, SearchError> {
        let cleaned = text::query_words(query);
        if cleaned.is_empty() {
            return Ok(SearchResults::default());
        }
        // Sheets holding every word first; only when there is none, those holding some.
        let all_words = self.run(&cleaned, true, offset, limit)?;
        if all_words.total > 0 || !cleaned.contains(' ') {
            return Ok(all_words);
        }
        let mut some_words = self.run(&cleaned, false, offset, limit)?;
        some_words.partial = some_words.total > 0;
        Ok(some_words)
    }

    fn run(&self, cleaned: &str, all_words: bool, offset: usize, limit: usize) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let mut parser = QueryParser::for_index(&self.index, vec![self.fields.title, self.fields.body]);
        parser.set_field_boost(self.fields.title, TITLE_BOOST);
        if all_words {
            parser.set_conjunction_by_default();
        }
        let (query, _) = parser.parse_query_lenient(cleaned);
        let (top, total) = searcher.search(&query, &(TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score(), Count))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*query, self.fields.body)?;
        snippets.set_max_num_chars(220);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let mut snippet = snippets.snippet(&text_of(self.fields.body));
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            let excerpt_html = if snippet.is_empty() {
                text::escape(&text::leading_words(&text_of(self.fields.body), 220))
            } else {
                snippet.to_html()
            };
            hits.push(Hit { slug: text_of(self.fields.slug), title: text_of(self.fields.title), excerpt_html, score });
        }
        Ok(SearchResults { total, hits, partial: false })
    }
}

#[cfg(test)]
mod tests;
