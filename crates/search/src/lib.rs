//! Catalogue search: an in-memory tantivy index rebuilt from the store at start and updated on
//! each change. The French analyzer folds accents *before* stemming, so that `securite` finds
//! « sécurité » and `equipes pluridisciplinaires` finds « équipes projet pluridisciplinaires ».
//!
//! The index holds postings and the slug and title only: sheet text is not stored twice in
//! memory. The excerpts of a results page are cut from the sheets' text, which the caller reads
//! from the store for the few hits shown ([`Excerpter`]).

mod text;

use forma_domain::Program;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term, doc};

pub use forma_domain::text::program_text;

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
    pub score: f32,
}

#[derive(Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// No sheet holds every word: these hold at least one.
    pub partial: bool,
    pub excerpter: Option<Excerpter>,
}

/// Cuts, from a sheet's text, the passage that best matches the query.
pub struct Excerpter(SnippetGenerator);

impl Excerpter {
    /// An excerpt with the matched words in `<mark>`; everything else HTML-escaped.
    pub fn excerpt_html(&self, text: &str) -> String {
        let mut snippet = self.0.snippet(text);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        if snippet.is_empty() { text::escape(&text::leading_words(text, EXCERPT_CHARS)) } else { snippet.to_html() }
    }
}

const EXCERPT_CHARS: usize = 220;

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
        // Queries are plain words (see `text::query_words`), never phrases: positions are not
        // needed, and leaving them out keeps the index small.
        let indexing = TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs);
        let slug = schema.add_text_field("slug", STRING | STORED);
        let title = schema.add_text_field("title", TextOptions::default().set_indexing_options(indexing.clone()).set_stored());
        let body = schema.add_text_field("body", TextOptions::default().set_indexing_options(indexing));
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER, french_analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, fields: Fields { slug, title, body } })
    }

    fn write(&self, apply: impl FnOnce(&mut tantivy::IndexWriter<TantivyDocument>, Fields) -> tantivy::Result<()>) -> Result<(), SearchError> {
        let mut writer = self.index.writer_with_num_threads(1, WRITER_HEAP)?;
        apply(&mut writer, self.fields)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the whole index with these sheets.
    pub fn rebuild(&self, programs: &[Program]) -> Result<(), SearchError> {
        let mut rebuild = self.start_rebuild()?;
        rebuild.add(programs)?;
        rebuild.finish()
    }

    /// Starts replacing the whole index; sheets are then added batch by batch, and searches see
    /// the old index until [`Rebuild::finish`]. tantivy allows one writer at a time: a write
    /// attempted meanwhile fails (`LockBusy`) rather than waits.
    pub fn start_rebuild(&self) -> Result<Rebuild<'_>, SearchError> {
        let writer = self.index.writer_with_num_threads(1, WRITER_HEAP)?;
        writer.delete_all_documents()?;
        Ok(Rebuild { index: self, writer })
    }

    /// Adds or replaces sheets (after an import or an edit).
    pub fn upsert(&self, programs: &[Program]) -> Result<(), SearchError> {
        self.write(|writer, f| {
            for p in programs {
                writer.delete_term(Term::from_field_text(f.slug, p.slug.as_str()));
                writer.add_document(document(f, p))?;
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
        let excerpter = Excerpter({
            let mut generator = SnippetGenerator::create(&searcher, &*query, self.fields.body)?;
            generator.set_max_num_chars(EXCERPT_CHARS);
            generator
        });
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            hits.push(Hit { slug: text_of(self.fields.slug), title: text_of(self.fields.title), score });
        }
        Ok(SearchResults { total, hits, partial: false, excerpter: Some(excerpter) })
    }
}

fn document(f: Fields, p: &Program) -> TantivyDocument {
    doc!(f.slug => p.slug.as_str(), f.title => p.title.as_str(), f.body => program_text(p))
}

/// A whole-index replacement in progress (see [`SearchIndex::start_rebuild`]).
pub struct Rebuild<'a> {
    index: &'a SearchIndex,
    writer: tantivy::IndexWriter<TantivyDocument>,
}

impl Rebuild<'_> {
    pub fn add(&mut self, programs: &[Program]) -> Result<(), SearchError> {
        for p in programs {
            self.writer.add_document(document(self.index.fields, p))?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), SearchError> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
