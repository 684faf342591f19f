// The public journey of Forma's catalogue, in a desktop and a phone browser.
//
// Written against semantics (roles, accessible names, labels, link targets),
// never against CSS classes: the HTML is free to change its look.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, newContext, checkA11y, norm, DESKTOP, PHONE,
} from '../lib/server.js';
import { navigate, goto, pathOf, mainOf } from '../lib/page.js';

const SEARCH_LABEL = /rechercher une formation/i;
const SEED_LINK_TEXT = /acculturation/i;
const SEED_TITLE = /accompagnement du p[ôo]le/i;
const CATEGORY = 'Chantiers locaux';
const SHEET_HEADINGS = [
  'Public', 'Modalités pratiques', 'Contenu', 'Objectifs', 'Méthodes mobilisées',
  'Accessibilité', "Délais d'accès",
];
const PHONE_NUMBER = '02 99 29 82 42';
const MAX_PAGES = 30;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

// ---------------------------------------------------------------- helpers

async function firstVisible(locator) {
  const n = await locator.count();
  for (let i = 0; i < n; i++) {
    const l = locator.nth(i);
    if (await l.isVisible()) return l;
  }
  return null;
}

/**
 * The first visible element of `locator`; on a narrow screen it may sit behind
 * a menu or search toggle (a button with aria-expanded, or a <details> summary),
 * which is then opened.
 */
async function reveal(page, locator, what) {
  let el = await firstVisible(locator);
  if (el) return el;
  const toggles = page.locator(
    'button[aria-expanded="false"], [role="button"][aria-expanded="false"], details:not([open]) > summary');
  const n = await toggles.count();
  for (let i = 0; i < n; i++) {
    const t = toggles.nth(i);
    if (!(await t.isVisible())) continue;
    await t.click();
    el = await firstVisible(locator);
    if (el) return el;
  }
  assert.fail(`${what}: present ${await locator.count()} time(s) in the page but never visible ` +
    '(not even after opening the menu toggles)');
}

/** The search box of the page's search landmark (the header's one first). */
async function searchBox(page) {
  // includeHidden: on a phone the box may sit (hidden) behind a toggle.
  const h = { includeHidden: true };
  const box = (scope) => scope.getByRole('search', h)
    .getByRole('searchbox', { name: SEARCH_LABEL, ...h })
    .or(scope.getByRole('search', h).getByRole('textbox', { name: SEARCH_LABEL, ...h }));
  const inBanner = box(page.getByRole('banner', h));
  const visibleInBanner = await firstVisible(inBanner);
  if (visibleInBanner) return visibleInBanner;
  const anywhere = box(page);
  assert.ok((await anywhere.count()) > 0,
    'expected a search form (role=search) holding a text input labelled « Rechercher une formation »');
  return reveal(page, anywhere, 'search input « Rechercher une formation »');
}

/** The link « Formations » of the main navigation. */
async function navFormationsLink(page) {
  const h = { includeHidden: true };
  const name = /^\s*formations\s*$/i;
  const inBanner = page.getByRole('banner', h).getByRole('navigation', h).getByRole('link', { name, ...h });
  const anyNav = page.getByRole('navigation', h).getByRole('link', { name, ...h });
  const links = (await inBanner.count()) > 0 ? inBanner : anyNav;
  assert.ok((await links.count()) > 0,
    'expected a link « Formations » inside a navigation landmark (nav) of the page');
  return reveal(page, links, 'link « Formations » of the main navigation');
}

/**
 * The program-sheet links of the page's main content: anchors whose href
 * starts with /formations/, outside navigation landmarks, each with the text
 * of the list item (li, article, table row…) that holds it.
 */
async function sheetItems(page) {
  return page.evaluate(() => {
    const root = document.querySelector('main, [role="main"]') || document.body;
    const visible = (el) => (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null);
    const out = [];
    const seen = new Map();
    for (const a of root.querySelectorAll('a[href^="/formations/"]')) {
      if (a.closest('nav, [role="navigation"], [role="banner"], [role="contentinfo"]')) continue;
      if (!visible(a)) continue;
      const href = new URL(a.href).pathname;
      const item = a.closest('li, article, tr, [role="listitem"], [role="row"], [role="article"]') || a.parentElement;
      if (seen.has(href)) continue;
      seen.set(href, true);
      out.push({ href, text: a.innerText.trim(), itemText: item.innerText.trim() });
    }
    return out;
  });
}

/** Headings of the page (h1–h6 and role=heading), visible ones, with level and whether their section is blank. */
async function headings(page) {
  return page.evaluate(() => {
    const visible = (el) => (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null);
    const all = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')].filter(visible);
    const levelOf = (h) => Number(h.getAttribute('aria-level')) || Number(h.tagName.slice(1)) || 2;
    const inHeading = (node) => {
      for (let el = node.nodeType === 1 ? node : node.parentElement; el; el = el.parentElement) {
        if (/^H[1-6]$/.test(el.tagName) || el.getAttribute('role') === 'heading') return true;
      }
      return false;
    };
    // Document-order stream of headings and "content" (visible text, media).
    const stream = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (n.nodeType === 1 && all.includes(n)) stream.push({ heading: n });
      else if (inHeading(n)) continue;
      else if (n.nodeType === 3) {
        if (n.textContent.trim() && n.parentElement && visible(n.parentElement)
          && !n.parentElement.closest('script, style, template')) stream.push({ content: true });
      } else if (/^(IMG|SVG|TABLE|VIDEO|IFRAME|INPUT|SELECT|TEXTAREA|OBJECT)$/i.test(n.tagName) && visible(n)) {
        stream.push({ content: true });
      }
    }
    return all.map((h) => {
      const level = levelOf(h);
      let i = stream.findIndex((s) => s.heading === h) + 1;
      let hasContent = false;
      for (; i < stream.length; i++) {
        const s = stream[i];
        if (s.heading && levelOf(s.heading) <= level) break;
        if (s.content) { hasContent = true; break; }
      }
      return { level, text: h.innerText.replace(/\s+/g, ' ').trim(), hasContent };
    });
  });
}

/** Looks for a link to the seed sheet on this page, then through the catalogue's pages. */
async function findSeedSheetLink(page, t) {
  const find = async () => {
    const main = await mainOf(page);
    const byText = main.locator('a[href^="/formations/"]').filter({ hasText: SEED_LINK_TEXT });
    const l = await firstVisible(byText);
    if (l) return l;
    const byTitle = await firstVisible(main.locator('a[href^="/formations/"]').filter({ hasText: SEED_TITLE }));
    if (byTitle) {
      t.diagnostic('the seed sheet link does not contain « Acculturation »; found it by its title « Accompagnement du pôle »');
    }
    return byTitle;
  };
  let link = await find();
  if (link) return link;
  t.diagnostic(`seed sheet not listed on ${page.url()}; browsing the whole catalogue`);
  await goto(page, '/formations');
  for (let i = 0; i < MAX_PAGES; i++) {
    link = await find();
    if (link) return link;
    const next = await firstVisible(page.getByRole('link', { name: /page suivante/i }));
    if (!next) break;
    await navigate(page, () => next.click());
  }
  assert.fail('no link to the seed sheet (text containing « Acculturation » or « Accompagnement du pôle ») ' +
    'anywhere in the catalogue /formations');
}

// ---------------------------------------------------------------- the journey

async function journey(t, device, prefix) {
  const context = await newContext(browser, server.url, device);
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  let sheetPath = null;

  // One step of the journey: its checks, then (once it reached its page, even
  // if a check failed) the accessibility check and screenshot named `shot`.
  // fn(arrive, soft): arrive() marks the step's page as reached.
  // Every failure of the step is reported, not just the first.
  const step = (title, shot, fn) => t.test(title, async () => {
    let arrived = false;
    const errors = [];
    // soft(check): a check whose failure is reported without stopping the step.
    const soft = async (check) => {
      try {
        await check();
      } catch (e) {
        errors.push(e);
      }
    };
    try {
      await fn(() => { arrived = true; }, soft);
    } catch (e) {
      errors.push(e);
    }
    if (shot && arrived) {
      try {
        await checkA11y(page, shot);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new Error(errors.map((e, i) => `(${i + 1}) ${e.message}`).join('\n\n'));
    }
  });

  try {
    await step('home page: h1, search form, main navigation', `${prefix}-01-accueil`, async (arrive) => {
      const response = await goto(page, '/');
      arrive();
      assert.equal(response.status(), 200, 'GET / status');
      assert.ok((await page.getByRole('heading', { level: 1 }).count()) > 0, 'expected an h1 on /');
      const input = await searchBox(page);
      assert.equal(await input.getAttribute('name'), 'q', 'the search input should be named « q »');
      await navFormationsLink(page);
    });

    await step('catalogue: sheets listed, filter form', `${prefix}-02-formations`, async (arrive) => {
      if (pathOf(page) !== '/') await goto(page, '/');
      const link = await navFormationsLink(page);
      const response = await navigate(page, () => link.click());
      assert.equal(response?.status(), 200, 'status of /formations');
      assert.match(pathOf(page), /\/formations$/, 'URL after clicking « Formations »');
      arrive();

      const items = await sheetItems(page);
      assert.ok(items.length >= 20,
        `expected at least 20 program sheets (a[href^="/formations/"]) on the first page, found ${items.length}`);

      const main = await mainOf(page);
      const category = main.getByRole('combobox', { name: /catégorie/i })
        .or(main.getByRole('listbox', { name: /catégorie/i }));
      assert.ok((await category.count()) > 0, 'expected a select labelled « Catégorie »');
      const type = main.getByRole('combobox', { name: /^\s*type\b/i })
        .or(main.getByRole('listbox', { name: /^\s*type\b/i }));
      assert.ok((await type.count()) > 0, 'expected a select labelled « Type »');
      const typeOptions = await type.first().locator('option').evaluateAll(
        (os) => os.map((o) => `${o.value} ${o.textContent}`.toUpperCase()));
      assert.ok(typeOptions.some((o) => /\bINTER\b/.test(o)), `« Type » should offer INTER, has ${JSON.stringify(typeOptions)}`);
      assert.ok(typeOptions.some((o) => /\bINTRA\b/.test(o)), `« Type » should offer INTRA, has ${JSON.stringify(typeOptions)}`);
      const filter = main.getByRole('button', { name: /^\s*filtrer\s*$/i });
      assert.ok((await filter.count()) > 0, 'expected a submit button « Filtrer »');
    });

    if (prefix === 'desktop') {
      await step('catalogue: at least 30 sheets across its pages', null, async () => {
        const other = await context.newPage();
        try {
          const all = new Set();
          await goto(other, '/formations');
          for (let i = 0; i < MAX_PAGES; i++) {
            for (const it of await sheetItems(other)) all.add(it.href);
            const next = await firstVisible(other.getByRole('link', { name: /page suivante/i }));
            if (!next) break;
            await navigate(other, () => next.click());
          }
          assert.ok(all.size >= 30, `expected at least 30 sheets in the demo catalogue, found ${all.size}`);
        } finally {
          await other.close();
        }
      });
    }

    await step(`catalogue: filter by category « ${CATEGORY} »`, null, async () => {
      if (pathOf(page) !== '/formations') await goto(page, '/formations');
      const main = await mainOf(page);
      const select = main.getByRole('combobox', { name: /catégorie/i })
        .or(main.getByRole('listbox', { name: /catégorie/i })).first();
      const options = await select.locator('option').evaluateAll(
        (os) => os.map((o) => ({ value: o.value, text: o.textContent.replace(/\s+/g, ' ').trim() })));
      const option = options.find((o) => norm(o.text).includes(norm(CATEGORY)));
      assert.ok(option, `« Catégorie » should offer « ${CATEGORY} », has ${JSON.stringify(options.map((o) => o.text))}`);
      await select.selectOption(option.value);
      const button = await reveal(page, main.getByRole('button', { name: /^\s*filtrer\s*$/i }), 'button « Filtrer »');
      const response = await navigate(page, () => button.click());
      assert.equal(response?.status(), 200, `status of ${page.url()}`);
      const items = await sheetItems(page);
      assert.ok(items.length > 0, `no sheet listed after filtering on « ${CATEGORY} » (${page.url()})`);
      const wrong = items.filter((it) => !norm(it.itemText).includes(norm(CATEGORY)));
      assert.deepEqual(wrong.map((it) => `${it.href}: ${it.itemText.slice(0, 160)}`), [],
        `every listed sheet should show the category « ${CATEGORY} »`);
    });

    await step('program sheet: headings, contact, no blank heading', `${prefix}-03-fiche`, async (arrive, soft) => {
      const link = await findSeedSheetLink(page, t);
      const response = await navigate(page, () => link.click());
      assert.equal(response?.status(), 200, `status of ${page.url()}`);
      assert.match(pathOf(page), /^\/formations\/[^/]+$/, 'URL of the sheet');
      sheetPath = pathOf(page);
      arrive();

      await soft(async () => {
        const h1 = page.getByRole('heading', { level: 1 });
        assert.ok((await h1.count()) > 0, 'expected an h1 on the sheet');
        assert.match(norm(await h1.first().innerText()), SEED_TITLE, 'h1 of the seed sheet');
      });

      const hs = await headings(page);
      const texts = hs.map((h) => norm(h.text));
      const missing = SHEET_HEADINGS.filter((want) => !texts.some((h) => h.includes(norm(want))));
      await soft(() => assert.deepEqual(missing, [],
        `headings missing on the sheet; it has: ${JSON.stringify(hs.map((h) => `h${h.level} ${h.text}`))}`));

      const body = norm(await page.locator('body').innerText());
      await soft(() => assert.ok(body.includes(norm(PHONE_NUMBER)), `the sheet should show « ${PHONE_NUMBER} »`));

      // The seed has no price: no « Tarifs » heading with nothing under it,
      // and more generally no heading over an empty section.
      const blank = hs.filter((h) => !h.text || !h.hasContent);
      const tarifs = blank.some((h) => /tarif/i.test(h.text)) ? ' (among them an empty « Tarifs »: the seed has no price)' : '';
      assert.deepEqual(blank.map((h) => `h${h.level} « ${h.text} »`), [],
        `headings with nothing under them must not be shown${tarifs}`);
    });

    await step('search from the header: results with highlights', `${prefix}-04-recherche`, async (arrive) => {
      const input = await searchBox(page);
      await input.fill('equipes pluridisciplinaires');
      const response = await navigate(page, () => input.press('Enter'));
      assert.equal(response?.status(), 200, `status of ${page.url()}`);
      assert.match(page.url(), /\/recherche\?(.*&)?q=/, 'URL of the search results');
      arrive();

      const main = await mainOf(page);
      const links = await main.locator('a[href^="/formations/"]').evaluateAll((as) => as.map((a) => ({
        path: new URL(a.href).pathname.replace(/(.)\/$/, '$1'), text: a.innerText.replace(/\s+/g, ' ').trim(),
      })));
      const seed = links.filter((l) => (sheetPath ? l.path === sheetPath : SEED_TITLE.test(l.text) || SEED_LINK_TEXT.test(l.text)));
      assert.ok(seed.length > 0,
        `the results should link to the seed sheet ${sheetPath ?? '(Accompagnement du pôle)'}; links: ${JSON.stringify(links)}`);
      const marks = main.locator('mark');
      assert.ok((await marks.count()) > 0, 'the results should highlight the matched words with <mark>');
      assert.ok(await firstVisible(marks), 'the <mark> highlights should be visible');
    });

    await step('search with no result', `${prefix}-05-recherche-vide`, async (arrive) => {
      const input = await searchBox(page);
      await input.fill('zzzzqqq');
      const response = await navigate(page, () => input.press('Enter'));
      assert.equal(response?.status(), 200, `status of ${page.url()}`);
      assert.match(page.url(), /\/recherche\?(.*&)?q=zzzzqqq/, 'URL of the search results');
      arrive();
      const main = await mainOf(page);
      assert.match(await main.innerText(), /aucun/i, 'the page should say (in French) that nothing was found');
      const back = await main.locator('a[href]').evaluateAll((as) => as
        .map((a) => new URL(a.href))
        .filter((u) => u.origin === location.origin && u.pathname.replace(/\/$/, '') === '/formations')
        .map((u) => u.pathname + u.search));
      assert.ok(back.length > 0, 'the page should offer a link back to the catalogue (/formations) in its main content');
    });

    await step('upcoming sessions', `${prefix}-06-sessions`, async (arrive) => {
      const response = await goto(page, '/sessions');
      arrive();
      assert.equal(response.status(), 200, 'GET /sessions status');
      assert.ok((await page.getByRole('heading', { level: 1 }).count()) > 0, 'expected an h1 on /sessions');
      const main = await mainOf(page);
      const tables = await main.getByRole('table').count();
      const lists = await main.getByRole('list').count();
      assert.ok(tables + lists > 0, 'expected a table or a list of upcoming sessions in the main content');
    });

    await step('accessibility statement from the footer', `${prefix}-08-accessibilite`, async (arrive) => {
      await goto(page, '/');
      await page.getByRole('contentinfo').getByRole('link', { name: /Accessibilité/ }).click();
      await page.waitForURL(/\/accessibilite$/);
      arrive();
      const h1 = await page.getByRole('heading', { level: 1 }).first().innerText();
      assert.match(h1, /Déclaration d.accessibilité/, 'the footer link leads to the accessibility statement');
      assert.ok((await page.getByText(/État de conformité/).count()) > 0, 'the statement gives the conformity status');
    });

    await step('unknown sheet: 404 in French', `${prefix}-07-404`, async (arrive) => {
      const response = await goto(page, '/formations/nexiste-pas');
      arrive();
      assert.equal(response.status(), 404, 'GET /formations/nexiste-pas status');
      const h1 = page.getByRole('heading', { level: 1 });
      assert.ok((await h1.count()) > 0, 'expected an h1 on the 404 page');
      const text = await h1.first().innerText();
      assert.ok(text.trim().length > 0, 'the 404 h1 should not be empty');
      assert.doesNotMatch(text, /\b(not found|error|page not)\b/i, 'the 404 h1 should be in French');
      const lang = await page.locator('html').getAttribute('lang');
      assert.match(lang ?? '', /^fr\b/i, 'the 404 page should declare lang="fr"');
    });
  } finally {
    if (pageErrors.length) t.diagnostic(`JavaScript errors: ${pageErrors.join(' | ')}`);
    await context.close();
  }
}

test('GET /healthz answers 200', async () => {
  const response = await fetch(new URL('/healthz', server.url));
  assert.equal(response.status, 200, 'GET /healthz status');
});

test('public journey, desktop 1280×800', { timeout: 300_000 }, async (t) => {
  await journey(t, DESKTOP, 'desktop');
});

test('public journey, phone 390×844', { timeout: 300_000 }, async (t) => {
  await journey(t, PHONE, 'phone');
});
