// The back-office (« gestion ») of Forma, in a desktop browser: a manager
// edits a program sheet, fails validation, corrects, publishes, and finds the
// change in the audit journal; every back-office page passes axe; the login
// form refuses a wrong password.
//
// Written against semantics (roles, accessible names, labels, link targets,
// form field names), never against CSS classes: the HTML is free to change
// its look. The demo login is the one `forma serve --demo` prints at start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, launchBrowser, newContext, checkA11y, norm, DESKTOP, RESULTS_DIR,
} from '../lib/server.js';
import { navigate, goto, pathOf, mainOf } from '../lib/page.js';

const SEED_SLUG = '2019-formation-action-accompagnement-du-pole-service-aux-partenaires-et-accompagnement-social-ctg';
const SEED_TITLE = /accompagnement du p[ôo]le\W*service aux partenaires/i;
const EDITOR = `/gestion/programmes/${SEED_SLUG}`;
const PUBLIC_SHEET = `/formations/${SEED_SLUG}`;
const DEMO_EMAIL = 'admin@demo.forma.test';
const BAD_PRICE = 'douze euros';
const GOOD_PRICE = '450';
const TITLE_SUFFIX = ' (2026)';
const LOGIN_ERROR = 'Adresse e-mail ou mot de passe incorrect.';
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
  'septembre', 'octobre', 'novembre', 'décembre'];

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

async function h1Text(page) {
  const h1 = page.getByRole('heading', { level: 1 });
  assert.ok((await h1.count()) > 0, `expected an h1 on ${page.url()}`);
  return (await h1.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** A full-page screenshot into test-results/<name>.png (checkA11y takes its own too). */
async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`), fullPage: true });
}

/** Today in Paris (the server dates versions in Europe/Paris): ISO and French long form. */
function today() {
  const iso = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit',
  }).format(new Date());
  const [y, m, d] = iso.split('-').map(Number);
  return { iso, french: `${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}` };
}

/** The demo back-office login printed by `forma serve --demo`. */
function demoLogin() {
  assert.ok(server.login,
    'forma serve --demo should print « Identifiant : … » and « Mot de passe : … » after ' +
    `« Forma écoute sur … »; stdout was:\n${server.stdout()}`);
  return server.login;
}

/** The login form's e-mail and password inputs, by their labels. */
function loginFields(page) {
  return {
    email: page.getByLabel(/^\s*adresse e-mail\s*$/i),
    password: page.getByLabel(/^\s*mot de passe\s*$/i),
    submit: page.getByRole('button', { name: /^\s*se connecter\s*$/i }),
  };
}

/** Signs in with the demo login from /connexion; ends on /gestion (« Tableau de bord »). */
async function signIn(page) {
  const { email, password } = demoLogin();
  const response = await goto(page, '/connexion');
  assert.equal(response.status(), 200, 'GET /connexion status');
  const f = loginFields(page);
  await f.email.fill(email);
  await f.password.fill(password);
  const after = await navigate(page, () => f.submit.click());
  assert.equal(after?.status(), 200, `status after signing in (${page.url()})`);
  assert.equal(pathOf(page), '/gestion', 'signing in should lead to /gestion');
  assert.equal(await h1Text(page), 'Tableau de bord', 'h1 of /gestion');
}

/** The editor's big form (the one posting to the editor's own address). */
function editorForm(page, slug = SEED_SLUG) {
  return page.locator(`form[action="/gestion/programmes/${slug}"]`);
}

function field(page, name) {
  return editorForm(page).locator(`[name="${name}"]`);
}

/** Chooses the VAT treatment `value` (« exempt »…) of a price, be it a select or radios. */
async function chooseVat(page, name, value) {
  const control = field(page, name);
  assert.ok((await control.count()) > 0, `no field named « ${name} » in the editor`);
  if (await control.first().evaluate((el) => el.tagName === 'SELECT')) {
    await control.first().selectOption(value);
  } else {
    await editorForm(page).locator(`[name="${name}"][value="${value}"]`).check();
  }
}

/** Clicks « Enregistrer le brouillon » and returns the response. */
async function saveDraft(page) {
  const button = page.getByRole('button', { name: /^\s*enregistrer le brouillon\s*$/i });
  assert.equal(await button.count(), 1, 'expected one button « Enregistrer le brouillon »');
  return navigate(page, () => button.click());
}

/** The status notice (role=status) texts of the page. */
async function notices(page) {
  return (await page.getByRole('status').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/** h1 and MAJ of a public sheet, seen by an anonymous visitor. */
async function publicSheet(slug = SEED_SLUG) {
  const context = await newContext(browser, server.url, DESKTOP);
  try {
    const page = await context.newPage();
    const response = await goto(page, `/formations/${slug}`);
    const time = page.locator('time[datetime]').filter({ hasText: /\d{4}/ });
    const majLine = page.getByText(/^\s*MAJ\b/);
    return {
      status: response.status(),
      text: (await (await mainOf(page)).innerText()).replace(/\s+/g, ' '),
      h1: await h1Text(page),
      maj: (await majLine.count()) > 0 ? (await majLine.first().innerText()).replace(/\s+/g, ' ').trim() : null,
      datetimes: await time.evaluateAll((ts) => ts.map((t) => ({
        datetime: t.getAttribute('datetime'), text: t.textContent.replace(/\s+/g, ' ').trim(),
        inMaj: /\bMAJ\b/.test(t.parentElement?.textContent ?? ''),
      }))),
    };
  } finally {
    await context.close();
  }
}

/** The rows of the page's first data table, as arrays of cell texts. */
async function tableRows(page) {
  const main = await mainOf(page);
  return main.getByRole('table').first().evaluate((table) => [...table.tBodies].flatMap((b) => [...b.rows])
    .map((r) => [...r.cells].map((c) => {
      // The « Avant / après » details would make the cell huge: keep its summary only.
      const clone = c.cloneNode(true);
      for (const pre of clone.querySelectorAll('pre')) pre.remove();
      return clone.textContent.replace(/\s+/g, ' ').trim();
    })));
}

/**
 * Runs the steps of one journey as subtests; once a step fails, the
 * following ones are skipped (they depend on it). Every failure of a step is
 * reported, not just the first: fn(soft) where soft(check) records a failure
 * without stopping the step.
 */
function stepper(t) {
  let failed = null;
  return (title, fn) => t.test(title, failed ? { skip: `an earlier step failed: ${failed}` } : {}, async () => {
    const errors = [];
    const soft = async (check) => {
      try {
        await check();
      } catch (e) {
        errors.push(e);
      }
    };
    try {
      await fn(soft);
    } catch (e) {
      errors.push(e);
      failed = title; // soft failures do not stop the journey
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new Error(errors.map((e, i) => `(${i + 1}) ${e.message}`).join('\n\n'));
    }
  });
}

// ---------------------------------------------------------------- 1. the journey

test('un gestionnaire modifie, échoue, corrige, publie, et retrouve la modification au journal',
  { timeout: 300_000 }, async (t) => {
    const context = await newContext(browser, server.url, DESKTOP);
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(30_000);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    const step = stepper(t);
    let oldTitle = null;
    let newTitle = null;

    try {
      await step('connexion avec l\'identifiant de démonstration', async () => {
        await signIn(page);
        await screenshot(page, 'desktop-gestion-01-tableau-de-bord');
        const logout = page.getByRole('banner').getByRole('button', { name: /se déconnecter/i });
        assert.ok((await logout.count()) > 0, 'expected a button « Se déconnecter » in the header (banner)');
      });

      await step('liste des fiches : badge de l\'indicateur 1, lien vers l\'éditeur', async (soft) => {
        const response = await goto(page, '/gestion/programmes');
        assert.equal(response.status(), 200, 'GET /gestion/programmes status');
        const main = await mainOf(page);
        const link = main.locator(`a[href="${EDITOR}"]`);
        assert.ok((await link.count()) > 0, `expected a link to ${EDITOR} on /gestion/programmes`);
        assert.match(norm(await link.first().innerText()), SEED_TITLE, 'text of the link to the seed sheet editor');
        await soft(async () => {
          const row = await link.first().evaluate((a) => (a.closest('tr, li, article') || a.parentElement).innerText);
          assert.match(row, /Manque\s*:.*Prérequis/s, `the seed's row should say « Manque : … Prérequis … »: ${row}`);
          assert.match(row, /Tarifs/, `the seed's row should name « Tarifs » as missing: ${row}`);
        });
        await navigate(page, () => link.first().click());
        assert.equal(pathOf(page), EDITOR, 'the title links to the editor');
        oldTitle = await field(page, 'title').inputValue();
        assert.match(oldTitle, SEED_TITLE, 'the title input of the seed sheet');
        newTitle = `${oldTitle}${TITLE_SUFFIX}`;
      });

      await step('publier la fiche incomplète est refusé (422), avec Prérequis et Tarifs', async () => {
        // The seed is published without a draft: its button reads « Republier (nouvelle MAJ) »
        // (« Publier le texte enregistré » once a draft is saved).
        const button = page.locator(`form[action="${EDITOR}/publier"]`)
          .getByRole('button', { name: /^\s*(re)?publier\b/i });
        assert.equal(await button.count(), 1,
          `expected one button « Publier… » or « Republier… » in a form posting to ${EDITOR}/publier`);
        const response = await navigate(page, () => button.click());
        assert.equal(response?.status(), 422, 'publishing an incomplete sheet should answer 422');
        const summary = page.locator('#error-summary');
        assert.equal(await summary.count(), 1, 'expected an error summary #error-summary');
        assert.equal(await summary.getAttribute('role'), 'alert', '#error-summary role');
        const text = (await summary.innerText()).replace(/\s+/g, ' ');
        assert.match(text, /Publication refusée/, `the summary should say « Publication refusée »: ${text}`);
        const items = (await summary.getByRole('listitem').allInnerTexts()).map((s) => s.trim().split(' : ')[0]);
        assert.deepEqual([...items].sort(), ['Prérequis', 'Tarifs'],
          'the refusal should list exactly the two missing items of the seed');
        // Each item links to the place of the missing item in the form.
        const targets = await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
        assert.deepEqual([...targets].sort(), ['#missing_prerequisites', '#missing_prices']);
        for (const target of targets) assert.equal(await page.locator(target).count(), 1, `${target} exists`);
        await screenshot(page, 'desktop-gestion-02-publication-refusee');
      });

      await step('enregistrer un tarif illisible : 422, message à côté du champ, saisies conservées', async (soft) => {
        await goto(page, EDITOR);
        await field(page, 'title').fill(newTitle);
        await field(page, 'price_trainee').fill(BAD_PRICE);
        const response = await saveDraft(page);
        assert.equal(response?.status(), 422, 'saving an unreadable price should answer 422');
        await screenshot(page, 'desktop-gestion-03-editeur-erreur');

        await soft(async () => {
          const summary = page.locator('#error-summary');
          assert.equal(await summary.count(), 1, 'expected an error summary #error-summary');
          assert.equal(await summary.getAttribute('role'), 'alert', '#error-summary role');
          const targets = await summary.locator('a[href^="#"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
          assert.deepEqual(targets, ['#price_trainee'], 'the summary should link to the one faulty field');
        });

        const input = field(page, 'price_trainee');
        const error = page.locator('#err-price_trainee');
        await soft(async () => {
          assert.equal(await error.count(), 1, 'expected the message #err-price_trainee');
          const message = (await error.innerText()).trim();
          assert.ok(message.length > 0, 'the price error message is empty');
          assert.doesNotMatch(message, /\b(invalid|error|the|field)\b/i, `the message should be in French: ${message}`);
          assert.equal(await input.getAttribute('aria-invalid'), 'true', 'aria-invalid of the price input');
          const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
          assert.ok(describedBy.split(/\s+/).includes('err-price_trainee'),
            `the price input should be described by its message (aria-describedby="${describedBy}")`);
          // Next to the field: the smallest element holding both the input and its message
          // holds no other field, and the message is close on screen.
          const together = await input.evaluate((el) => {
            const msg = document.getElementById('err-price_trainee');
            let common = el.parentElement;
            while (common && !common.contains(msg)) common = common.parentElement;
            const names = [...new Set([...(common?.querySelectorAll('[name]') ?? [])].map((c) => c.name))];
            const a = el.getBoundingClientRect();
            const b = msg.getBoundingClientRect();
            return { names, gap: Math.max(a.top - b.bottom, b.top - a.bottom, 0) };
          });
          const strangers = together.names.filter((n) => !n.startsWith('price_trainee'));
          assert.deepEqual(strangers, [],
            'the price message should sit in the price field\'s own wrapper, not among other fields');
          assert.ok(together.gap < 120, `the price message is ${together.gap}px away from the input`);
        });
        await soft(async () => assert.equal(await input.inputValue(), BAD_PRICE, 'the typed price should be kept'));
        await soft(async () => assert.equal(await field(page, 'title').inputValue(), newTitle, 'the changed title should be kept'));
        await soft(async () => assert.equal(await field(page, 'title').getAttribute('aria-invalid'), null,
          'the title is valid: no aria-invalid on it'));
      });

      await step('corriger (450, exonéré, Aucun prérequis) et enregistrer : brouillon enregistré', async (soft) => {
        await field(page, 'price_trainee').fill(GOOD_PRICE);
        await chooseVat(page, 'price_trainee_vat', 'exempt');
        const none = page.getByRole('radio', { name: /aucun prérequis/i });
        assert.equal(await none.count(), 1, 'expected one radio « Aucun prérequis »');
        assert.equal(await none.getAttribute('name'), 'prerequisites_state', 'name of the radio « Aucun prérequis »');
        assert.equal(await none.getAttribute('value'), 'none', 'value of the radio « Aucun prérequis »');
        await none.check();
        const response = await saveDraft(page);
        assert.equal(response?.status(), 200, `status after saving (${page.url()})`);
        assert.equal(pathOf(page), EDITOR, 'saving should come back to the editor');
        const n = await notices(page);
        assert.ok(n.some((s) => /^Brouillon enregistré/.test(s)), `expected the notice « Brouillon enregistré… », got ${JSON.stringify(n)}`);
        await soft(async () => assert.equal(await page.locator('#error-summary').count(), 0, 'no error summary after saving'));
        await soft(async () => assert.equal(await field(page, 'title').inputValue(), newTitle, 'saved title'));
        await soft(async () => assert.match(await field(page, 'price_trainee').inputValue(), /^450([,.]0+)?$/, 'saved price'));
        await soft(async () => assert.equal(await field(page, 'price_trainee_vat').first().inputValue(), 'exempt', 'saved VAT'));
        await soft(async () => assert.ok(await page.getByRole('radio', { name: /aucun prérequis/i }).isChecked(),
          '« Aucun prérequis » should stay checked'));
      });

      await step('la page publique est inchangée tant que rien n\'est publié', async () => {
        const sheet = await publicSheet();
        assert.equal(sheet.status, 200, `GET ${PUBLIC_SHEET} status`);
        assert.equal(sheet.h1, oldTitle, 'the public sheet should still show the old title');
      });

      await step('publier : fiche publiée', async () => {
        await goto(page, EDITOR);
        const button = page.getByRole('button', { name: /^\s*publier le texte enregistré\s*$/i });
        assert.equal(await button.count(), 1, 'expected one button « Publier le texte enregistré »');
        const response = await navigate(page, () => button.click());
        assert.equal(response?.status(), 200, `status after publishing (${page.url()})`);
        assert.equal(pathOf(page), EDITOR, 'publishing should come back to the editor');
        const n = await notices(page);
        assert.ok(n.some((s) => /^Fiche publiée/.test(s)), `expected the notice « Fiche publiée… », got ${JSON.stringify(n)}`);
        assert.equal(await page.locator('#error-summary').count(), 0, 'no error summary after publishing');
      });

      await step('la page publique montre le nouveau titre et la MAJ du jour', async (soft) => {
        const { iso, french } = today();
        const sheet = await publicSheet();
        assert.equal(sheet.status, 200, `GET ${PUBLIC_SHEET} status`);
        await soft(async () => assert.equal(sheet.h1, newTitle, 'the public sheet should show the new title'));
        await soft(async () => {
          const maj = sheet.datetimes.filter((d) => d.inMaj);
          assert.ok(maj.length > 0, `expected a <time datetime> in the « MAJ » line; times: ${JSON.stringify(sheet.datetimes)}`);
          assert.equal(maj[0].datetime, iso, 'datetime of the MAJ');
          assert.equal(norm(maj[0].text), norm(french), 'French date of the MAJ');
        });
        await soft(async () => assert.ok(sheet.maj && norm(sheet.maj).includes(norm(french)),
          `the MAJ line should read « MAJ : ${french} », it reads ${JSON.stringify(sheet.maj)}`));
        // The corrected fields are published too.
        await soft(async () => assert.match(sheet.text, /aucun prérequis/i, 'the public sheet should say « Aucun prérequis »'));
        await soft(async () => assert.match(sheet.text, /450(,00)?\s*€/, 'the public sheet should show the 450 € price'));
      });

      await step('versions : la nouvelle version, en ligne, par admin@demo.forma.test', async (soft) => {
        const response = await goto(page, `${EDITOR}/versions`);
        assert.equal(response.status(), 200, 'GET versions status');
        const rows = await tableRows(page);
        assert.equal(rows.length, 2, `two versions expected (the seed's and the new one): ${JSON.stringify(rows)}`);
        const [latest] = rows;
        await soft(async () => assert.match(latest[0], /^2\b.*en ligne/i, 'the newest version, listed first, is 2 and online'));
        await soft(async () => assert.ok(latest.some((c) => c.includes(DEMO_EMAIL)), `version 2 should be by ${DEMO_EMAIL}: ${JSON.stringify(latest)}`));
        // The column is in Paris time (the back-office shows instants as people read them):
        // past midnight in Paris, UTC is still on the day before.
        const paris = today().iso.split('-').reverse().join('/');
        await soft(async () => assert.ok(latest.some((c) => c.startsWith(paris)), `version 2 should be dated ${paris}: ${JSON.stringify(latest)}`));
        await soft(async () => assert.equal(
          await (await mainOf(page)).locator(`a[href="${EDITOR}/comparer?de=1&a=2"]`).count(), 1,
          'expected a link comparing version 1 with version 2'));
      });

      await step('journal filtré sur les fiches programme : publish par admin@demo.forma.test', async (soft) => {
        const response = await goto(page, '/gestion/journal');
        assert.equal(response.status(), 200, 'GET /gestion/journal status');
        const main = await mainOf(page);
        await main.getByLabel(/^\s*objet\s*$/i).selectOption('program');
        const filter = main.getByRole('button', { name: /^\s*filtrer\s*$/i });
        const filtered = await navigate(page, () => filter.click());
        assert.equal(filtered?.status(), 200, `status of ${page.url()}`);
        const q = new URL(page.url()).searchParams;
        assert.equal(q.get('objet'), 'program', 'the filter should be in the URL');
        await screenshot(page, 'desktop-gestion-04-journal');

        // The action cell reads « Publication publish »: the French label, then the code.
        const code = (cell) => (cell ?? '').trim().split(/\s+/).pop();
        const rows = (await tableRows(page)).map((r) => r.map((c, i) => (i === 3 ? code(c) : c)));
        assert.ok(rows.length > 0, 'the filtered journal is empty');
        const ofSeed = rows.filter((r) => r.some((c) => c.includes(SEED_SLUG)));
        const others = rows.filter((r) => !r.some((c) => /Fiche programme/.test(c)));
        await soft(async () => assert.deepEqual(others, [], 'objet=program should only list « Fiche programme » events'));
        const publish = ofSeed.filter((r) => r.includes('publish'));
        assert.ok(publish.length > 0,
          `expected a « publish » event on ${SEED_SLUG}; rows of that slug: ${JSON.stringify(ofSeed.map((r) => r.slice(0, 4)))}`);
        await soft(async () => assert.ok(publish[0].some((c) => c.includes(DEMO_EMAIL)),
          `the publish event should be by ${DEMO_EMAIL}: ${JSON.stringify(publish[0].slice(0, 4))}`));
        await soft(async () => assert.ok(ofSeed.some((r) => r.includes('save_draft')),
          `expected a « save_draft » event on ${SEED_SLUG}: ${JSON.stringify(ofSeed.map((r) => r.slice(0, 4)))}`));
        // Events are listed newest first: the publication comes before the draft it published.
        await soft(async () => {
          const actions = ofSeed.map((r) => r[3]);
          assert.ok(actions.indexOf('publish') < actions.indexOf('save_draft'),
            `newest first: publish should be listed before save_draft, got ${JSON.stringify(actions)}`);
        });
        // Only one draft was saved: the refused save (422) must not be journaled.
        await soft(async () => assert.equal(ofSeed.filter((r) => r.includes('save_draft')).length, 1,
          `one save_draft only (the 422 save wrote nothing): ${JSON.stringify(ofSeed.map((r) => r.slice(0, 4)))}`));

        // The author filter keeps this manager's events only.
        await soft(async () => {
          await (await mainOf(page)).getByLabel(/auteur/i).fill(DEMO_EMAIL);
          await navigate(page, () => filter.click());
          assert.equal(new URL(page.url()).searchParams.get('auteur'), DEMO_EMAIL, 'the author filter should be in the URL');
          const mine = (await tableRows(page)).map((r) => r.map((c, i) => (i === 3 ? code(c) : c)));
          assert.deepEqual(mine.filter((r) => !r[1]?.includes(DEMO_EMAIL)), [], `auteur=${DEMO_EMAIL} should list only that author's events`);
          assert.deepEqual(mine.map((r) => r[3]), ['publish', 'save_draft'],
            `${DEMO_EMAIL}'s program events, newest first`);
          await screenshot(page, 'desktop-gestion-04-journal');
        });
      });

      await step('déconnexion', async () => {
        const logout = page.getByRole('banner').getByRole('button', { name: /se déconnecter/i });
        await navigate(page, () => logout.click());
        assert.equal(pathOf(page), '/connexion', 'logging out should lead to /connexion');
        const back = await goto(page, '/gestion');
        assert.notEqual(pathOf(page), '/gestion', `after logging out /gestion should not be shown (status ${back.status()})`);
      });
    } finally {
      if (pageErrors.length) t.diagnostic(`JavaScript errors: ${pageErrors.join(' | ')}`);
      await context.close();
    }
  });

// ---------------------------------------------------------------- 2. accessibility

const GESTION_PAGES = [
  ['/gestion', 'tableau-de-bord'],
  ['/gestion/programmes', 'programmes'],
  [EDITOR, 'editeur'],
  [`${EDITOR}/versions`, 'versions'],
  ['/gestion/categories', 'categories'],
  ['/gestion/organisme', 'organisme'],
  ['/gestion/journal', 'journal'],
  ['/gestion/courriels', 'courriels'],
  ['/gestion/utilisateurs', 'utilisateurs'],
  ['/gestion/jetons', 'jetons'],
  ['/gestion/clients', 'clients'],
  ['/gestion/demandes', 'demandes'],
  ['/gestion/calendrier', 'calendrier'],
  ['/gestion/lieux', 'lieux'],
  ['/gestion/formateurs', 'formateurs'],
];

/** Directory lists whose first entry's page is checked too: list, entry address, name. */
const DIRECTORY_ENTRIES = [
  ['/gestion/clients', /^\/gestion\/clients\/\d+$/, 'client'],
  ['/gestion/lieux', /^\/gestion\/lieux\/\d+$/, 'lieu'],
  ['/gestion/formateurs', /^\/gestion\/formateurs\/\d+$/, 'formateur'],
];

test('les pages de gestion sont accessibles', { timeout: 300_000 }, async (t) => {
  const context = await newContext(browser, server.url, DESKTOP);
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const anonymous = await newContext(browser, server.url, DESKTOP);
  const errors = [];
  // Every page is checked; the failures are reported together at the end.
  const check = async (what, fn) => {
    try {
      await fn();
    } catch (e) {
      errors.push(`${what}: ${e.message}`);
    }
  };

  try {
    await signIn(page);

    for (const [path, name] of GESTION_PAGES) {
      await check(path, async () => {
        const response = await goto(page, path);
        assert.equal(response.status(), 200, `GET ${path} status`);
        assert.equal(pathOf(page), path, `GET ${path} ended on another page`);
        await h1Text(page);
        await checkA11y(page, `desktop-gestion-a11y-${name}`);
      });
    }

    for (const [list, entry, name] of DIRECTORY_ENTRIES) {
      await check(`${list}: first entry`, async () => {
        await goto(page, list);
        const hrefs = await (await mainOf(page)).locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
        const href = hrefs.find((h) => entry.test(h ?? ''));
        assert.ok(href, `${list} should link to an entry (${entry})`);
        const response = await goto(page, href);
        assert.equal(response.status(), 200, `GET ${href} status`);
        await h1Text(page);
        await checkA11y(page, `desktop-gestion-a11y-${name}`);
      });
    }

    await check('/gestion/lieux (422)', async () => {
      await goto(page, '/gestion/lieux');
      const venue = page.getByRole('main').getByRole('link', { name: /Clermont-Ferrand/ });
      await navigate(page, () => venue.first().click());
      await page.getByLabel(/^\s*Nom de la salle/).fill('Salle 3');
      await page.getByLabel(/^\s*Nombre de places/).fill('0');
      const response = await navigate(page, () => page.getByRole('button', { name: /^\s*Ajouter la salle\s*$/ }).click());
      assert.equal(response?.status(), 422, 'a room of 0 places should answer 422');
      const capacity = page.getByLabel(/^\s*Nombre de places/);
      assert.equal(await capacity.getAttribute('aria-invalid'), 'true', 'the capacity field is marked invalid');
      assert.match(await capacity.getAttribute('aria-describedby') ?? '', /err-room-capacity/, 'the message describes the field');
      await checkA11y(page, 'desktop-gestion-a11y-lieu-erreur');
    });

    await check(`${EDITOR} (422)`, async () => {
      await goto(page, EDITOR);
      await field(page, 'price_trainee').fill(BAD_PRICE);
      const response = await saveDraft(page);
      assert.equal(response?.status(), 422, 'saving an unreadable price should answer 422');
      await checkA11y(page, 'desktop-gestion-a11y-editeur-erreur');
    });

    await check('/gestion: the skip link comes first', async () => {
      await goto(page, '/gestion');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return {
          tag: el.tagName, href: el.getAttribute('href'), text: el.textContent.replace(/\s+/g, ' ').trim(),
          visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight,
        };
      });
      assert.equal(focused.tag, 'A', `the first Tab should focus a link, focused ${JSON.stringify(focused)}`);
      assert.match(focused.text, /aller au contenu|contenu principal/i, 'the first link in tab order is the skip link');
      assert.ok(focused.visible, 'the skip link should be visible once focused');
      await screenshot(page, 'desktop-gestion-lien-evitement');
      const target = focused.href?.replace(/^#/, '');
      assert.ok(target, `the skip link should point to an anchor (href="${focused.href}")`);
      assert.equal(await page.locator(`[id="${target}"]`).evaluate((el) => el.tagName === 'MAIN' || el.getAttribute('role') === 'main'),
        true, `the skip link's target #${target} should be the main landmark`);
      await page.keyboard.press('Enter');
      const active = await page.evaluate(() => document.activeElement?.id);
      assert.equal(active, target, 'Enter on the skip link should move the focus to the main content');
    });

    const visitor = await anonymous.newPage();
    await check('/connexion', async () => {
      const response = await goto(visitor, '/connexion');
      assert.equal(response.status(), 200, 'GET /connexion status');
      await checkA11y(visitor, 'desktop-compte-a11y-connexion');
    });
    await check('/connexion (erreur)', async () => {
      await goto(visitor, '/connexion');
      const f = loginFields(visitor);
      await f.email.fill('personne@demo.forma.test');
      await f.password.fill('pas-le-bon');
      const response = await navigate(visitor, () => f.submit.click());
      assert.equal(response?.status(), 401, 'a refused login should answer 401');
      await checkA11y(visitor, 'desktop-compte-a11y-connexion-erreur');
    });
    await check('/mot-de-passe/oubli', async () => {
      const response = await goto(visitor, '/mot-de-passe/oubli');
      assert.equal(response.status(), 200, 'GET /mot-de-passe/oubli status');
      await h1Text(visitor);
      await checkA11y(visitor, 'desktop-compte-a11y-mot-de-passe-oubli');
    });
  } finally {
    await anonymous.close();
    await context.close();
  }
  if (errors.length) {
    throw new Error(`${errors.length} page(s) failed:\n\n${errors.join('\n\n')}`);
  }
});

// ---------------------------------------------------------------- 3. login refused

test('la connexion refuse un mauvais mot de passe et reste accessible', { timeout: 120_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  context.setDefaultTimeout(15_000);
  try {
    const page = await context.newPage();
    await goto(page, '/connexion');
    const { email } = demoLogin();
    const f = loginFields(page);
    await f.email.fill(email);
    await f.password.fill('0000000000000000');
    const response = await navigate(page, () => f.submit.click());
    assert.ok([400, 401, 403, 422].includes(response?.status()),
      `a wrong password should be refused with a 4xx status, got ${response?.status()}`);
    assert.equal(pathOf(page), '/connexion', 'a refused login stays on /connexion');

    const alert = page.getByRole('alert');
    assert.ok((await alert.count()) > 0, 'the refusal should be announced (role=alert)');
    assert.equal(norm(await alert.first().innerText()), norm(LOGIN_ERROR), 'the refusal message');
    const again = loginFields(page);
    assert.equal(await again.email.inputValue(), email, 'the e-mail should be kept');
    assert.equal(await again.password.inputValue(), '', 'the password should not be sent back');
    assert.equal(await again.email.getAttribute('aria-invalid'), 'true', 'aria-invalid of the e-mail input');
    const describedBy = (await again.email.getAttribute('aria-describedby')) ?? '';
    const alertId = await alert.first().getAttribute('id');
    assert.ok(alertId && describedBy.split(/\s+/).includes(alertId),
      `the e-mail input should be described by the message (aria-describedby="${describedBy}", message id="${alertId}")`);

    await checkA11y(page, 'desktop-compte-connexion-refusee');

    // The right password still works afterwards (one failure does not lock the account).
    await signIn(page);
  } finally {
    await context.close();
  }
});
