// Registrations in a desktop browser, with a real SMTP server (aiosmtpd) receiving what the
// server's mail worker sends:
//   a. someone registers from the public site on an INTER session with free places: a first
//      try without an e-mail is refused next to the field, then the « Confirmez votre
//      inscription » message arrives, its personal link opens the registration and
//      « Confirmer mon inscription » makes it « inscrit »; then an accommodation request goes to the
//      référent handicap, whose mail carries no detail of the need;
//   b. a gestionnaire registers a group of three on a multi-day INTER session from the
//      back-office, one of them for chosen days only, and finds them in the table;
//   c. on the demo's full INTER session, a confirmed registration is cancelled (refused
//      without a reason, then with one): the freed seat is offered to the first person
//      waiting, whose row reads « place proposée jusqu'au … », and who receives the offer by
//      mail with a personal link to accept it.
// Every page passes axe, error states included.
//
// Written against labels, roles, accessible names and link targets, never CSS classes;
// sessions are found by reading the pages (table rows, links), never by a known id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newContext, checkA11y, mailsTo, norm, DESKTOP } from '../lib/server.js';
import { navigate, goto, pathOf, mainOf, signInAs } from '../lib/page.js';

let server;
let browser;

before(async () => {
  server = await startServer({ smtp: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

async function signIn(page) {
  assert.ok(server.login, `the demo login should be printed; stdout was:\n${server.stdout()}`);
  await signInAs(page, server.login);
}

/** The texts of the `<td>` cells of a table row (its `<th scope="row">` excluded). */
async function cellTexts(row) {
  return (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim());
}

/** The text a field's aria-describedby points at (its hint and its error message). */
async function descriptionOf(field) {
  return field.evaluate((el) => (el.getAttribute('aria-describedby') || '')
    .split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
}

/** The value of a `<dt>label</dt><dd>value</dd>` pair of the main content. */
async function fact(page, label) {
  const main = await mainOf(page);
  const dd = main.locator('dt', { hasText: new RegExp(`^\\s*${label}\\s*$`) }).first().locator('xpath=following-sibling::dd[1]');
  return (await dd.innerText()).trim();
}

/** The back-office table row of a registration, from its « NOM Prénom ». */
function registrationRow(page, name) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${escapeRe(name)}(?:\\s|$)`) }) });
}

/** A registration's state (« inscrit », « en liste d'attente (n° 2) »…) in the back-office table. */
async function stateOf(page, name) {
  const cells = await cellTexts(registrationRow(page, name));
  return cells[3];
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** « mercredi 9 décembre 2026 — … » → « 09/12/2026 ». */
function shortDate(label) {
  const m = /(\d{1,2})(?:er)?\s+(\p{L}+)\s+(\d{4})/u.exec(label);
  assert.ok(m, `a date in « ${label} »`);
  const month = MONTHS.indexOf(m[2].toLowerCase()) + 1;
  assert.ok(month > 0, `a French month in « ${label} »`);
  return `${m[1].padStart(2, '0')}/${String(month).padStart(2, '0')}/${m[3]}`;
}

/** The personal link of a message: the same in its text and HTML parts, on this server. */
function personalLink(mail) {
  const m = /(https?:\/\/[^\s<>"]+\/inscription\/[0-9a-f]+)/.exec(mail.plain);
  assert.ok(m, `a personal link in the text part:\n${mail.plain}`);
  assert.ok(mail.html.includes(`href="${m[1]}"`), `the HTML part links to ${m[1]}:\n${mail.html}`);
  assert.ok(m[1].startsWith(`${server.url}/`), `${m[1]} should point at the server under test (${server.url})`);
  return new URL(m[1]).pathname;
}

test("inscription publique à une session INTER, confirmée par le lien reçu par courriel", { timeout: 180_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  const email = 'lea.rousseau@e2e.forma.test';
  try {
    await goto(page, '/sessions');
    await checkA11y(page, 'inscription-sessions');
    // The first session with free places (the demo fills the first one).
    const rows = page.getByRole('row').filter({ has: page.getByRole('link', { name: /^S'inscrire\b/ }) });
    let row = null;
    let places = 0;
    for (const r of await rows.all()) {
      const m = /(\d+) places? disponibles?/.exec((await cellTexts(r)).join(' '));
      if (m) { row = r; places = Number(m[1]); break; }
    }
    assert.ok(row, 'an INTER session with « places disponibles »');
    const title = (await row.getByRole('rowheader').innerText()).trim();
    await navigate(page, () => row.getByRole('link', { name: /^S'inscrire\b/ }).click());
    assert.match(pathOf(page), /^\/sessions\/\d+\/inscription$/);
    const formPath = pathOf(page);
    assert.equal(norm(await page.getByRole('heading', { level: 1 }).innerText()), norm(`S'inscrire : ${title}`));
    assert.match(await fact(page, 'Places'), new RegExp(`^${places} places? disponibles?$`));
    await checkA11y(page, 'inscription-formulaire');

    // Without an e-mail: refused, the message next to the field, what was typed kept.
    await page.getByLabel('Prénom').fill('Léa');
    await page.getByLabel('Nom', { exact: true }).fill('Rousseau');
    await page.getByLabel('Employeur').fill("CAF d'Ille-et-Vilaine");
    await page.getByLabel('Fonction').fill("Chargée d'accueil");
    await page.getByLabel('Votre situation').selectOption({ label: 'Autre situation (agent public, bénévole…)' });
    const refused = await navigate(page, () => page.getByRole('button', { name: "Envoyer ma demande d'inscription" }).click());
    assert.equal(refused.status(), 422);
    assert.equal(pathOf(page), formPath);
    assert.match(await page.getByRole('alert').first().innerText(), /n'est pas envoyée : 1 champ\(s\) à corriger/);
    const emailField = page.getByLabel('Adresse e-mail');
    assert.equal(await emailField.getAttribute('aria-invalid'), 'true');
    assert.match(await descriptionOf(emailField), /Indiquez votre adresse e-mail : le lien de confirmation y est envoyé\./);
    assert.equal(await page.getByLabel('Prénom').inputValue(), 'Léa');
    assert.equal(await page.getByLabel('Nom', { exact: true }).inputValue(), 'Rousseau');
    assert.equal(await page.getByLabel('Employeur').inputValue(), "CAF d'Ille-et-Vilaine");
    assert.equal(await page.getByLabel('Fonction').inputValue(), "Chargée d'accueil");
    assert.equal(await page.getByLabel('Votre situation').inputValue(), 'other');
    await checkA11y(page, 'inscription-formulaire-erreur');

    // With it: « Vérifiez votre messagerie ».
    await emailField.fill(email);
    const sent = await navigate(page, () => page.getByRole('button', { name: "Envoyer ma demande d'inscription" }).click());
    assert.equal(sent.status(), 200);
    assert.equal(pathOf(page), `${formPath}/envoyee`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Vérifiez votre messagerie');
    assert.match(norm(await page.getByRole('status').innerText()), new RegExp(escapeRe(norm(`inscription à « ${title}`))));
    await checkA11y(page, 'inscription-envoyee');

    // The message, received by the SMTP server.
    const mails = await mailsTo(server, email, { subject: 'Confirmez votre inscription', timeoutMs: 20_000 });
    assert.equal(mails.length, 1, 'one confirmation message');
    const [mail] = mails;
    assert.match(mail.plain, /Léa Rousseau/);
    const link = personalLink(mail);

    // The personal link: nothing is held until the button is pressed.
    await goto(page, link);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Mon inscription');
    assert.equal(await fact(page, 'Stagiaire'), 'Léa Rousseau');
    assert.equal(await fact(page, 'État'), 'adresse à confirmer');
    await checkA11y(page, 'inscription-lien-a-confirmer');
    const confirmed = await navigate(page, () => page.getByRole('button', { name: 'Confirmer mon inscription' }).click());
    assert.equal(confirmed.status(), 200);
    assert.equal(pathOf(page), link);
    assert.match(await page.getByRole('status').innerText(), /^Adresse confirmée : votre inscription est enregistrée\.$/);
    assert.equal(await fact(page, 'État'), 'inscrit');
    assert.equal(await page.getByRole('button', { name: 'Confirmer mon inscription' }).count(), 0);
    await checkA11y(page, 'inscription-lien-inscrit');

    // An accommodation request: refused empty, then sent to the référent handicap, whose mail
    // carries no detail of the need.
    const need = 'Malentendante : supports écrits et place au premier rang, merci.';
    const ask = () => navigate(page, () => page.getByRole('button', { name: 'Envoyer ma demande au référent handicap' }).click());
    assert.equal((await ask()).status(), 422);
    assert.equal(await page.getByLabel('Mon besoin').getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'inscription-amenagement-vide');
    await page.getByLabel('Mon besoin').fill(need);
    assert.equal((await ask()).status(), 200);
    assert.match(await (await mainOf(page)).innerText(), /Votre demande d'aménagement est reçue : le référent handicap/);
    await checkA11y(page, 'inscription-amenagement-recue');
    const [toReferent] = await mailsTo(server, 'handicap@demo.forma.test', { subject: "Nouvelle demande d'aménagement", timeoutMs: 20_000 });
    assert.ok(!toReferent.plain.includes('Malentendante') && !toReferent.html.includes('Malentendante'), 'no health detail by mail');

    // One seat fewer on the public list.
    await goto(page, '/sessions');
    const after = page.getByRole('row').filter({ has: page.locator(`a[href="${formPath}"]`) });
    assert.match((await cellTexts(after)).join(' '), new RegExp(`\\b${places - 1} places? disponibles?`));
  } finally {
    await context.close();
  }
});

test("un gestionnaire inscrit un groupe de trois personnes, dont une sur des journées choisies", { timeout: 180_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  try {
    await signIn(page);
    await goto(page, '/gestion/sessions');
    // An INTER session of three days or more that still has free places.
    let target = null;
    for (const row of await page.getByRole('row').filter({ has: page.getByRole('rowheader') }).all()) {
      const [kind, , , days] = await cellTexts(row);
      if (kind === 'INTER' && Number(days) >= 3) { target = row; break; }
    }
    assert.ok(target, 'an INTER session of three days or more');
    await navigate(page, () => target.getByRole('rowheader').getByRole('link').click());
    assert.match(pathOf(page), /^\/gestion\/sessions\/\d+$/);
    const sessionPath = pathOf(page);
    await navigate(page, () => page.getByRole('link', { name: "Inscriptions et liste d'attente" }).click());
    assert.equal(pathOf(page), `${sessionPath}/inscriptions`);
    assert.match(await fact(page, 'Places'), /places? libres?|pas de limite/);
    const before = Number(await fact(page, 'Inscrits'));
    await checkA11y(page, 'gestion-inscriptions');

    const dayBoxes = page.getByRole('group', { name: 'Journées' }).getByRole('checkbox');
    const dayLabels = [];
    for (const box of await dayBoxes.all()) {
      dayLabels.push(await page.locator(`label[for="${await box.getAttribute('id')}"]`).innerText());
    }
    assert.ok(dayLabels.length >= 3, `three days or more to choose from: ${dayLabels.join(' | ')}`);

    const group = [
      { first: 'Amandine', last: 'Perrin', email: 'amandine.perrin@e2e.forma.test', role: 'Conseillère technique', bpf: 'F-1 a — salarié d\'employeur privé (hors apprenti)' },
      { first: 'Bastien', last: 'Collet', email: '', role: 'Travailleur social', bpf: 'F-1 e — autre stagiaire' },
      { first: 'Chloé', last: 'Vidal', email: 'chloe.vidal@e2e.forma.test', role: 'Responsable de site', bpf: 'F-1 a — salarié d\'employeur privé (hors apprenti)', days: [0, dayLabels.length - 1] },
    ];
    const fill = async (p) => {
      await page.getByLabel('Prénom').fill(p.first);
      await page.getByLabel('Nom', { exact: true }).fill(p.last);
      await page.getByLabel('Adresse e-mail').fill(p.email);
      await page.getByLabel('Employeur').fill('CAF de la Sarthe');
      await page.getByLabel('Fonction').fill(p.role);
      await page.getByLabel('Type de stagiaire (bilan pédagogique et financier)').selectOption({ label: p.bpf });
    };

    // « Seulement les journées cochées » with none ticked: refused, what was typed kept.
    const chloe = group[2];
    await fill(chloe);
    await page.getByLabel('Seulement les journées cochées :').check();
    const refused = await navigate(page, () => page.getByRole('button', { name: 'Inscrire', exact: true }).click());
    assert.equal(refused.status(), 422);
    assert.match(await page.getByRole('alert').first().innerText(), /L'inscription n'est pas enregistrée : 1 champ\(s\) à corriger/);
    assert.match(await descriptionOf(page.getByRole('group', { name: 'Journées' })), /Cochez au moins une journée/);
    assert.equal(await page.getByLabel('Prénom').inputValue(), chloe.first);
    assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), chloe.email);
    assert.ok(await page.getByLabel('Seulement les journées cochées :').isChecked(), 'the choice is kept');
    await checkA11y(page, 'gestion-inscription-erreur');

    for (const p of group) {
      await fill(p);
      if (p.days) {
        await page.getByLabel('Seulement les journées cochées :').check();
        for (const i of p.days) await dayBoxes.nth(i).check();
      } else {
        await page.getByLabel('Toutes les journées de la session').check();
      }
      const done = await navigate(page, () => page.getByRole('button', { name: 'Inscrire', exact: true }).click());
      assert.equal(done.status(), 200, await (await mainOf(page)).innerText());
      assert.equal(pathOf(page), `${sessionPath}/inscriptions`);
      assert.equal(await page.getByRole('status').innerText(),
        'Inscription enregistrée : une place est réservée sur chaque journée choisie.');
      // A fresh, empty form for the next one.
      assert.equal(await page.getByLabel('Prénom').inputValue(), '');
    }

    assert.equal(Number(await fact(page, 'Inscrits')), before + 3);
    for (const p of group) {
      const name = `${p.last.toUpperCase()} ${p.first}`;
      const row = registrationRow(page, name);
      assert.equal(await row.count(), 1, `one row for ${name}`);
      const [employer, bpf, days, state] = await cellTexts(row);
      assert.match(employer, new RegExp(`^CAF de la Sarthe\\s+${p.role}$`));
      assert.equal(bpf, p.bpf);
      assert.equal(state, 'inscrit');
      if (p.days) {
        assert.equal(days, p.days.map((i) => shortDate(dayLabels[i])).join(', '));
      } else {
        assert.equal(days, 'toutes');
      }
      if (p.email) assert.match(await row.getByRole('rowheader').innerText(), new RegExp(escapeRe(p.email)));
    }
    await checkA11y(page, 'gestion-inscriptions-groupe');
  } finally {
    await context.close();
  }
});

test("annuler une inscription sur la session complète propose la place au premier en liste d'attente", { timeout: 180_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  try {
    // The full session, as the public list shows it.
    await goto(page, '/sessions');
    const full = page.getByRole('row').filter({ has: page.getByRole('link', { name: /^S'inscrire\b/ }) })
      .filter({ has: page.getByRole('cell', { name: 'complet', exact: true }) });
    assert.ok(await full.count() >= 1, 'a full INTER session in the public list');
    const href = await full.first().getByRole('link', { name: /^S'inscrire\b/ }).getAttribute('href');
    const id = /^\/sessions\/(\d+)\/inscription$/.exec(href)?.[1];
    assert.ok(id, `a registration link: ${href}`);

    await signIn(page);
    await goto(page, `/gestion/sessions/${id}`);
    await navigate(page, () => page.getByRole('link', { name: "Inscriptions et liste d'attente" }).click());
    assert.equal(pathOf(page), `/gestion/sessions/${id}/inscriptions`);
    assert.equal(await fact(page, 'Places'), 'complet');
    const waitingBefore = await fact(page, "Liste d'attente");

    // Who is in: the first « inscrit »; who waits first: the first « en liste d'attente » (the
    // table lists the waiting list in order).
    let cancelled = null;
    let firstWaiting = null;
    let firstWaitingEmail = null;
    for (const row of await page.getByRole('row').filter({ has: page.getByRole('rowheader') }).all()) {
      const state = (await cellTexts(row))[3];
      const [name, email] = (await row.getByRole('rowheader').innerText()).split('\n').map((s) => s.trim());
      if (!cancelled && state === 'inscrit') cancelled = name;
      if (!firstWaiting && /^en liste d'attente/.test(state)) { firstWaiting = name; firstWaitingEmail = email; }
    }
    assert.ok(cancelled, 'a confirmed registration');
    assert.ok(firstWaiting, 'someone on the waiting list');
    assert.ok(firstWaitingEmail, `${firstWaiting} has an e-mail address`);

    // Without a reason: refused, in French, next to that row's form.
    const cancel = () => navigate(page, () => page.getByRole('button', { name: `Annuler l'inscription de ${cancelled}`, exact: true }).click());
    const refused = await cancel();
    assert.equal(refused.status(), 422);
    const error = registrationRow(page, cancelled).getByRole('alert');
    assert.equal((await error.innerText()).trim(), "Indiquez le motif de l'annulation.");
    assert.equal(await stateOf(page, cancelled), 'inscrit', 'nothing cancelled');
    await checkA11y(page, 'gestion-annulation-sans-motif');

    // With one: cancelled, and the seat offered.
    await page.getByLabel(`Motif d'annulation pour ${cancelled}`, { exact: true }).fill('Mutation dans une autre caisse');
    const done = await cancel();
    assert.equal(done.status(), 200);
    assert.equal(pathOf(page), `/gestion/sessions/${id}/inscriptions`);
    assert.equal(await page.getByRole('status').innerText(),
      "Inscription annulée : la place libérée est proposée à la première personne de la liste d'attente qui peut la prendre.");
    assert.equal(await stateOf(page, cancelled), 'annulée (Mutation dans une autre caisse)');
    assert.match(await stateOf(page, firstWaiting), /^place proposée jusqu'au \d{1,2}(er)? \p{L}+ \d{4} à \d{1,2} h \d\d$/u);
    assert.equal(await page.getByRole('button', { name: `Enregistrer l'acceptation de ${firstWaiting}`, exact: true }).count(), 1);
    assert.notEqual(await fact(page, "Liste d'attente"), waitingBefore, 'one person fewer waiting');
    await checkA11y(page, 'gestion-annulation-place-proposee');

    // The offer, by mail, with the personal link to take the seat.
    const [offer] = await mailsTo(server, firstWaitingEmail, { subject: "Une place s'est libérée", timeoutMs: 20_000 });
    const link = personalLink(offer);
    await goto(page, link);
    assert.match(await fact(page, 'État'), /^place proposée/);
    await checkA11y(page, 'place-proposee-lien');
    await navigate(page, () => page.getByRole('button', { name: 'Accepter la place' }).click());
    assert.equal(await page.getByRole('status').innerText(), 'Place acceptée : vous êtes inscrit.');
    assert.equal(await fact(page, 'État'), 'inscrit');
    await checkA11y(page, 'place-acceptee');

    await goto(page, `/gestion/sessions/${id}/inscriptions`);
    assert.equal(await stateOf(page, firstWaiting), 'inscrit');
  } finally {
    await context.close();
  }
});
