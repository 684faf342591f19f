// Attendance (émargement) in a browser, with a real SMTP server receiving the convocations.
// The demo's own session of the day only signs during its hours (9:00–12:30, 13:30–17:00, Paris),
// so the suite plans its own: one day, today in Paris, a morning from 0:01 to 23:58 and no
// afternoon, whatever the time the tests run. Three people are registered from the back-office
// and convoked; their personal links come from the messages received.
//   1. on a phone, the first trainee opens her personal link, then the address of the QR code
//      the trainer's screen shows: the page knows who signs, refuses an empty signature, and
//      records the one drawn on the pad;
//   2. the second signs with the typed code from his personal page, using the keyboard only: a
//      wrong code is refused next to the field, with what was typed kept; the confirmation
//      without drawing is ticked with Space and the form sent with Enter (and stays ticked after
//      the refusal); then the third draws her signature and mistypes the code: the drawing comes
//      back with the refusal, on the pad;
//   3. the trainer's screen, left open, shows both signatures as it refreshes; the half-day is
//      closed with a drawn countersignature (refused first without one), the third trainee
//      counts absent; a correction needs its reason and shows on the session's attendance
//      grid as « corrigé le … »; the attendance sheet downloads as a PDF.
// Every page passes axe, error states included.
//
// Written against labels, roles and accessible names; the QR code's address and the code are
// read where the screen shows them (`data-qr-url`, the code's paragraph).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newContext, checkA11y, mailsTo, norm, DESKTOP, PHONE } from '../lib/server.js';
import { navigate, goto, pathOf, mainOf, signInAs } from '../lib/page.js';

let server;
let browser;
/** The staff's context and the trainer's screen, left open from the first test to the last. */
let staff;
let screen;
/** What the setup planned: { id, title, screenPath, links: { ines, karim, sophie } }. */
let plan;

const TRAINEES = {
  ines: { first: 'Inès', last: 'Morel', email: 'ines.morel@e2e.forma.test' },
  karim: { first: 'Karim', last: 'Benali', email: 'karim.benali@e2e.forma.test' },
  sophie: { first: 'Sophie', last: 'Lambert', email: 'sophie.lambert@e2e.forma.test' },
};
const nameOf = (t) => `${t.first} ${t.last}`;

before(async () => {
  server = await startServer({ smtp: true });
  browser = await launchBrowser();
  staff = await newContext(browser, server.url, DESKTOP);
  const page = await staff.newPage();
  assert.ok(server.login, `the demo login should be printed; stdout was:\n${server.stdout()}`);
  await signInAs(page, server.login);
  plan = await planTodaysSession(page);
  await page.close();
});

after(async () => {
  await staff?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
});

/** Today in Paris, « 2026-03-05 »: the day the server signs on. */
function parisToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The personal link of a convocation, as a path on the server under test. */
function personalLink(mail) {
  const m = /(https?:\/\/[^\s<>"]+\/inscription\/[0-9a-f]+)/.exec(mail.plain);
  assert.ok(m, `a personal link in the convocation:\n${mail.plain}`);
  assert.ok(m[1].startsWith(`${server.url}/`), `${m[1]} should point at the server under test (${server.url})`);
  return new URL(m[1]).pathname;
}

/**
 * Plans a one-day INTER session today (morning 0:01–23:58, no afternoon) from the back-office
 * form, registers the three trainees, sends their convocations and reads the personal links.
 */
async function planTodaysSession(page) {
  await goto(page, '/gestion/sessions');
  await navigate(page, () => page.getByRole('link', { name: 'Nouvelle session' }).click());
  const program = page.getByLabel('Fiche programme (publiée)');
  // An INTER programme (its option reads « Titre (INTER) »).
  const first = program.locator('option', { hasText: /\(INTER\)\s*$/ }).first();
  const title = (await first.innerText()).trim().replace(/\s*\(INTER\)$/, '');
  await program.selectOption(await first.getAttribute('value'));
  await page.getByLabel('Type de session').selectOption('INTER');
  await page.getByLabel('Nombre de places').fill('12');
  const day = page.getByRole('group', { name: 'Journée 1', exact: true });
  await day.getByLabel('Date').fill(parisToday());
  await day.getByLabel('Intitulé de la journée').fill("Journée d'émargement (tests)");
  await day.getByLabel('Matin, début').fill('00:01');
  await day.getByLabel('Matin, fin').fill('23:58');
  await day.getByLabel('Après-midi, début').fill('');
  await day.getByLabel('Après-midi, fin').fill('');
  await day.getByLabel('Lieu en toutes lettres (sans lieu enregistré)').fill('Rennes');
  const created = await navigate(page, () => page.getByRole('button', { name: 'Créer la session' }).click());
  assert.equal(created.status(), 200, await (await mainOf(page)).innerText());
  assert.match(pathOf(page), /^\/gestion\/sessions\/\d+$/, await (await mainOf(page)).innerText());
  const id = Number(/(\d+)$/.exec(pathOf(page))[1]);

  await navigate(page, () => page.getByRole('link', { name: "Inscriptions et liste d'attente" }).click());
  for (const t of Object.values(TRAINEES)) {
    await page.getByLabel('Prénom').fill(t.first);
    await page.getByLabel('Nom', { exact: true }).fill(t.last);
    await page.getByLabel('Adresse e-mail').fill(t.email);
    await page.getByLabel('Employeur').fill("CAF d'Ille-et-Vilaine");
    await page.getByLabel('Fonction').fill('Travailleur social');
    await page.getByLabel('Toutes les journées de la session').check();
    const done = await navigate(page, () => page.getByRole('button', { name: 'Inscrire', exact: true }).click());
    assert.equal(done.status(), 200, await (await mainOf(page)).innerText());
  }
  await navigate(page, () => page.getByRole('button', { name: 'Envoyer les convocations (3)' }).click());

  const links = {};
  for (const [key, t] of Object.entries(TRAINEES)) {
    const [mail] = await mailsTo(server, t.email, { subject: 'Votre convocation', timeoutMs: 20_000 });
    links[key] = personalLink(mail);
  }
  return { id, title, links };
}

/** Draws a signature on the pad's canvas with the pointer: two strokes across its box. */
async function drawSignature(page, canvas) {
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 50 && box.height > 20, `a canvas to draw on: ${JSON.stringify(box)}`);
  const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  for (const stroke of [
    [[0.1, 0.6], [0.2, 0.3], [0.3, 0.7], [0.4, 0.35], [0.5, 0.65]],
    [[0.55, 0.5], [0.7, 0.4], [0.9, 0.55]],
  ]) {
    await page.mouse.move(...at(...stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(...p), { steps: 4 });
    await page.mouse.up();
  }
}

/** How many pixels of the canvas are inked. */
async function inkOf(canvas) {
  return canvas.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
    return n;
  });
}

/** The field's description (hint and error message), through aria-describedby. */
async function descriptionOf(field) {
  return field.evaluate((el) => (el.getAttribute('aria-describedby') || '')
    .split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
}

/** The trainer's screen: the status line (« n signatures sur 3 stagiaires attendus. »). */
function presenceCount(page) {
  return page.getByRole('status').filter({ hasText: /signatures? sur \d+ stagiaires? attendus?/ });
}

/** A trainee's status on the trainer's screen (its list of expected trainees). */
async function screenStatus(page, trainee) {
  const row = page.getByRole('table', { name: 'Stagiaires attendus' }).getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: nameOf(trainee), exact: true }) });
  const cells = await row.getByRole('cell').allInnerTexts();
  return cells[1]?.trim();
}

/** The address the QR code of the screen encodes, as a path of the server under test. */
async function qrPath(page) {
  const url = await page.getByRole('figure').getAttribute('data-qr-url');
  assert.ok(url?.startsWith(`${server.url}/emargement/`), `the QR code's address: ${url}`);
  const u = new URL(url);
  return u.pathname + u.search;
}

/** The six-digit code the screen shows (« Code : 123456 » to a screen reader). */
async function shownCode(page) {
  const text = await page.locator('.code-digits').innerText();
  const m = /^\s*(?:Code :\s*)?(\d{6})\s*$/.exec(text);
  assert.ok(m, `a six-digit code: « ${text} »`);
  return m[1];
}

test("sur un téléphone, une stagiaire signe au doigt par le QR code, après avoir ouvert son lien personnel", { timeout: 180_000 }, async () => {
  // The staff opens the half-day from the session's attendance grid.
  screen = await staff.newPage();
  await goto(screen, `/gestion/sessions/${plan.id}`);
  await navigate(screen, () => screen.getByRole('link', { name: 'Émargement', exact: true }).click());
  assert.equal(pathOf(screen), `/gestion/sessions/${plan.id}/emargement`);
  await checkA11y(screen, 'emargement-session-ouverte');
  await navigate(screen, () => screen.getByRole('link', { name: /^Écran d'émargement\b/ }).click());
  assert.match(pathOf(screen), /^\/formateur\/emargement\/\d+\/matin$/);
  plan.screenPath = pathOf(screen);
  assert.equal(await screen.getByRole('heading', { level: 1 }).innerText(), plan.title);
  assert.equal(norm(await presenceCount(screen).innerText()), norm('0 signature sur 3 stagiaires attendus.'));
  for (const t of Object.values(TRAINEES)) assert.equal(await screenStatus(screen, t), '—');
  await checkA11y(screen, 'emargement-ecran-formateur');

  const phone = await newContext(browser, server.url, PHONE);
  const page = await phone.newPage();
  try {
    // The personal link: the half-day is open, and the phone now knows who signs.
    await goto(page, plan.links.ines);
    const section = page.getByRole('region', { name: /^Émargement — le matin du / });
    assert.match(await section.innerText(), /0 h 01 – 23 h 58/);
    await checkA11y(page, 'emargement-lien-personnel-telephone');

    // The QR code's address, as the phone's camera would open it.
    const qr = await qrPath(screen);
    const opened = await goto(page, qr);
    assert.equal(opened.status(), 200);
    assert.equal(norm(await page.getByRole('heading', { level: 1 }).innerText()), 'émargement');
    assert.equal(await (await mainOf(page)).locator('strong').innerText(), nameOf(TRAINEES.ines));
    assert.match(await (await mainOf(page)).innerText(), new RegExp(`Vous signez pour ${escapeRe(nameOf(TRAINEES.ines))}\\.`));
    const canvas = page.getByRole('img', { name: /^Zone de signature/ });
    await canvas.waitFor({ state: 'visible' });
    await checkA11y(page, 'emargement-qr-telephone');

    // Nothing drawn, nothing ticked: refused, the reason by the pad.
    const refused = await navigate(page, () => page.getByRole('button', { name: 'Signer', exact: true }).click());
    assert.equal(refused.status(), 422);
    assert.equal(pathOf(page), qr.split('?')[0]);
    assert.match(await page.getByRole('group', { name: 'Signature' }).innerText(), /Tracez votre signature dans le cadre/);
    assert.match(await descriptionOf(page.getByLabel('Je confirme ma présence sans signer à la main')), /Tracez votre signature dans le cadre/);
    await canvas.waitFor({ state: 'visible' });
    await checkA11y(page, 'emargement-qr-telephone-sans-signature');

    // Drawn with the finger (the pointer), then sent.
    await drawSignature(page, canvas);
    const drawn = JSON.parse(await page.locator('input[name="signature"]').inputValue());
    assert.equal(drawn.strokes.length, 2, 'two strokes recorded');
    assert.ok(drawn.strokes.every((s) => s.length >= 3), 'each stroke has its points');
    const signed = await navigate(page, () => page.getByRole('button', { name: 'Signer', exact: true }).click());
    assert.equal(signed.status(), 200);
    assert.equal(pathOf(page), plan.links.ines);
    assert.equal(await page.getByRole('status').innerText(), 'Votre signature est enregistrée. Merci !');
    assert.match(await page.getByRole('region', { name: /^Émargement — / }).innerText(), /Votre signature est enregistrée \(\d{1,2} h \d\d\)\./);
    assert.equal(await page.getByRole('button', { name: 'Signer', exact: true }).count(), 0, 'no second signature offered');
    await checkA11y(page, 'emargement-signe-telephone');

    // The QR code again: already signed.
    await goto(page, await qrPath(screen));
    assert.match(await page.getByRole('alert').innerText(), /Votre signature est déjà enregistrée pour cette demi-journée\./);
  } finally {
    await phone.close();
  }
});

test("sans appareil photo, un stagiaire tape le code sur sa page personnelle et signe au clavier", { timeout: 180_000 }, async () => {
  const context = await newContext(browser, server.url, DESKTOP);
  const page = await context.newPage();
  try {
    await goto(page, plan.links.karim);
    await checkA11y(page, 'emargement-lien-personnel');
    const code = page.getByLabel('Code de présence');
    const confirm = page.getByLabel('Je confirme ma présence sans signer à la main');
    const sign = page.getByRole('button', { name: 'Signer', exact: true });

    /** Tab until `target` has the focus (the pad's « Effacer » button comes on the way). */
    const tabTo = async (target) => {
      for (let i = 0; i < 6; i += 1) {
        if (await target.evaluate((el) => el === document.activeElement)) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${await target.evaluate((el) => el.outerHTML)}`);
    };

    // A wrong code: every digit of the shown one, plus one.
    const right = await shownCode(screen);
    const wrong = [...right].map((d) => String((Number(d) + 1) % 10)).join('');
    await code.focus();
    await page.keyboard.type(wrong);
    await tabTo(confirm);
    await page.keyboard.press('Space');
    assert.ok(await confirm.isChecked(), 'Space ticks the confirmation');
    await tabTo(sign);
    const refused = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(refused.status(), 422);
    assert.equal(pathOf(page), `${plan.links.karim}/emarger`);
    assert.match(await page.getByRole('alert').first().innerText(), /Votre signature n'est pas enregistrée/);
    assert.equal(await code.getAttribute('aria-invalid'), 'true');
    assert.match(await descriptionOf(code), /Ce code n'est pas le bon : vérifiez les 6 chiffres affichés dans la salle\./);
    assert.equal(await code.inputValue(), wrong, 'what was typed is kept');
    assert.ok(await confirm.isChecked(), 'the confirmation is kept');
    await checkA11y(page, 'emargement-code-errone');

    // The right one, read again from the screen (it changes every minute).
    await code.focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(await shownCode(screen));
    await tabTo(sign);
    const signed = await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(signed.status(), 200);
    assert.equal(pathOf(page), plan.links.karim);
    assert.equal(await page.getByRole('status').innerText(), 'Votre signature est enregistrée. Merci !');
    await checkA11y(page, 'emargement-code-signe');

    // A third one draws her signature, then mistypes the code: the drawing comes back with the
    // refusal, so she need not sign again (she leaves without sending it: she will be absent).
    await goto(page, plan.links.sophie);
    const pad = page.getByRole('img', { name: /^Zone de signature/ });
    await pad.waitFor({ state: 'visible' });
    await drawSignature(page, pad);
    const drawing = await page.locator('input[name="signature"]').inputValue();
    const shown = await shownCode(screen);
    await code.fill([...shown].map((d) => String((Number(d) + 5) % 10)).join(''));
    const again = await navigate(page, () => sign.click());
    assert.equal(again.status(), 422);
    assert.match(await descriptionOf(code), /Ce code n'est pas le bon/);
    await pad.waitFor({ state: 'visible' });
    assert.equal(await page.locator('input[name="signature"]').inputValue(), drawing, 'the drawing is sent back');
    assert.ok(await inkOf(pad) > 100, 'and drawn again on the pad');
    await checkA11y(page, 'emargement-code-errone-signature-gardee');
  } finally {
    await context.close();
  }
});

test("l'écran du formateur suit les signatures, la demi-journée est close et contresignée, puis corrigée", { timeout: 180_000 }, async () => {
  assert.ok(screen, 'the screen opened by the first test');
  // The screen was never reloaded: its live part shows both signatures.
  await presenceCount(screen).filter({ hasText: '2 signatures sur 3' }).waitFor({ timeout: 15_000 });
  assert.equal(await screenStatus(screen, TRAINEES.ines), 'Présent (signé)');
  assert.equal(await screenStatus(screen, TRAINEES.karim), 'Présent (signé)');
  assert.equal(await screenStatus(screen, TRAINEES.sophie), '—');
  await checkA11y(screen, 'emargement-ecran-deux-signatures');

  // Closing without a countersignature: refused.
  const close = () => navigate(screen, () => screen.getByRole('button', { name: 'Contresigner et clore la demi-journée' }).click());
  const refused = await close();
  assert.equal(refused.status(), 422);
  assert.match(await screen.getByRole('region', { name: 'Clore la demi-journée' }).innerText(), /Tracez votre signature dans le cadre/);
  await checkA11y(screen, 'emargement-cloture-sans-signature');

  // Countersigned by drawing on the pad.
  const pad = screen.getByRole('region', { name: 'Clore la demi-journée' }).getByRole('img', { name: /^Zone de signature/ });
  await pad.waitFor({ state: 'visible' });
  await drawSignature(screen, pad);
  const closed = await close();
  assert.equal(closed.status(), 200);
  assert.equal(pathOf(screen), plan.screenPath);
  assert.match(await screen.getByRole('status').first().innerText(), /^Demi-journée close\./);
  assert.match(await (await mainOf(screen)).innerText(), /Demi-journée close le .+ par .+\. Empreinte de la chaîne/);
  assert.equal(await screen.getByRole('heading', { level: 2, name: 'Présences' }).count(), 1);
  assert.equal(await screen.getByRole('figure').count(), 0, 'no QR code once closed');
  assert.equal(await screenStatus(screen, TRAINEES.sophie), 'Absent');
  assert.equal(await screenStatus(screen, TRAINEES.ines), 'Présent (signé)');
  await checkA11y(screen, 'emargement-close');

  // A correction without its reason: refused; with it, recorded.
  const form = screen.getByRole('region', { name: 'Corriger un statut' });
  const fill = async () => {
    await form.getByLabel('Stagiaire').selectOption({ label: nameOf(TRAINEES.sophie) });
    await form.getByLabel('Statut').selectOption('excused');
    await form.getByLabel("Motif de l'absence justifiée").fill('Arrêt maladie');
  };
  const save = () => navigate(screen, () => screen.getByRole('button', { name: 'Enregistrer le correctif' }).click());
  await fill();
  const noReason = await save();
  assert.equal(noReason.status(), 422);
  const reason = form.getByLabel(/^Raison du correctif/);
  assert.equal(await reason.getAttribute('aria-invalid'), 'true');
  assert.match(await descriptionOf(reason), /La demi-journée est close : indiquez la raison du correctif\./);
  assert.equal(await form.getByLabel('Statut').inputValue(), 'excused', 'the choice is kept');
  await checkA11y(screen, 'emargement-correctif-sans-raison');
  await fill();
  await reason.fill('Justificatif reçu');
  const corrected = await save();
  assert.equal(corrected.status(), 200);
  assert.match(await screen.getByRole('status').first().innerText(), /^Correctif enregistré/);
  assert.equal(await screenStatus(screen, TRAINEES.sophie), 'Absence justifiée : Arrêt maladie');
  await checkA11y(screen, 'emargement-correctif');

  // The session's grid: the correction shows with its date and reason.
  await goto(screen, `/gestion/sessions/${plan.id}/emargement`);
  const half = screen.getByRole('table', { name: 'État de chaque demi-journée' }).getByRole('row').nth(1);
  assert.match(await half.innerText(), /close le .+ par /);
  const grid = screen.getByRole('table', { name: /^Statut de chaque stagiaire/ });
  const row = (t) => grid.getByRole('row').filter({ has: screen.getByRole('rowheader', { name: new RegExp(`^${escapeRe(nameOf(t))}\\b`) }) });
  const sophie = (await row(TRAINEES.sophie).getByRole('cell').allInnerTexts()).map((c) => c.trim());
  assert.match(sophie[0], /^Absence justifiée : Arrêt maladie\s+corrigé le .+ : Justificatif reçu/);
  const ines = (await row(TRAINEES.ines).getByRole('cell').allInnerTexts()).map((c) => c.trim());
  assert.match(ines[0], /^Présent/);
  assert.match(ines[1], /^23 h 57 sur 23 h 57$/);
  await checkA11y(screen, 'emargement-session-corrigee');

  // The attendance sheet.
  const href = await screen.getByRole('link', { name: "Feuille d'émargement (PDF)" }).getAttribute('href');
  assert.equal(href, `/gestion/sessions/${plan.id}/emargement.pdf`);
  const pdf = await staff.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /^application\/pdf/);
  const body = await pdf.body();
  assert.equal(body.subarray(0, 5).toString('latin1'), '%PDF-');
});

test('sur un téléphone, au clavier, une stagiaire répond au positionnement (brouillon repris) puis à l\'évaluation de fin de formation', { timeout: 180_000 }, async () => {
  const context = await newContext(browser, server.url, PHONE);
  const page = await context.newPage();
  await goto(page, plan.links.ines);
  const evaluations = page.getByRole('region', { name: 'Vos évaluations' });
  assert.match(norm(await evaluations.innerText()), /positionnement \(avant la formation\) : à remplir/);
  await navigate(page, () => evaluations.getByRole('link', { name: 'Positionnement (avant la formation)' }).click());
  await checkA11y(page, 'evaluation-positionnement');

  // A number typed in words is refused next to its question, kept as typed.
  const first = page.getByRole('group').first();
  await first.getByRole('radio').nth(1).check();
  await page.getByLabel(/Depuis combien d'années/).fill('douze');
  const refused = await navigate(page, () => page.getByRole('button', { name: 'Enregistrer et finir plus tard' }).click());
  assert.equal(refused.status(), 422);
  const years = page.getByLabel(/Depuis combien d'années/);
  assert.equal(await years.inputValue(), 'douze');
  assert.equal(await years.getAttribute('aria-invalid'), 'true');
  assert.match(norm(await descriptionOf(years)), /indiquez un nombre entier/);
  await checkA11y(page, 'evaluation-positionnement-refuse');

  // Corrected and kept as a draft; reopened, the answers are there.
  await years.fill('12');
  await navigate(page, () => page.getByRole('button', { name: 'Enregistrer et finir plus tard' }).click());
  assert.equal(pathOf(page), plan.links.ines);
  assert.match(norm(await page.getByRole('region', { name: 'Vos évaluations' }).innerText()), /brouillon enregistré/);
  await navigate(page, () => page.getByRole('link', { name: 'Positionnement (avant la formation)' }).click());
  assert.equal(await page.getByLabel(/Depuis combien d'années/).inputValue(), '12');
  assert.ok(await page.getByRole('group').first().getByRole('radio').nth(1).isChecked());

  // Every objective answered with the keyboard (arrow keys move within a radio group), then sent.
  const groups = page.getByRole('group');
  for (let i = 0; i < await groups.count(); i += 1) {
    const radios = groups.nth(i).getByRole('radio');
    if (await radios.count() === 0) continue;
    await radios.first().focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
  }
  await navigate(page, () => page.getByRole('button', { name: 'Envoyer mes réponses' }).click());
  assert.equal(pathOf(page), plan.links.ines);
  assert.match(norm(await page.getByRole('status').first().innerText()), /vos réponses sont envoyées/);

  // The hot evaluation: the overall question left out is refused, then answered.
  await navigate(page, () => page.getByRole('link', { name: 'Évaluation à chaud (fin de formation)' }).click());
  await checkA11y(page, 'evaluation-a-chaud');
  const missing = await navigate(page, () => page.getByRole('button', { name: 'Envoyer mes réponses' }).click());
  assert.equal(missing.status(), 422);
  assert.match(norm(await page.locator('#err-overall').innerText()), /répondez à cette question/);
  await checkA11y(page, 'evaluation-a-chaud-refusee');
  for (let i = 0; i < await groups.count(); i += 1) {
    const radios = groups.nth(i).getByRole('radio');
    const n = await radios.count();
    if (n > 0) await radios.nth(n - 1).check();
  }
  await page.getByLabel('Vos remarques et suggestions').fill('Très concret.');
  await navigate(page, () => page.getByRole('button', { name: 'Envoyer mes réponses' }).click());
  assert.equal(pathOf(page), plan.links.ines);
  assert.match(norm(await page.getByRole('region', { name: 'Vos évaluations' }).innerText()), /fin de formation\) : envoyé le/);
  await checkA11y(page, 'evaluation-envoyee');
  await context.close();
});

test('la gestion délivre les certificats de la session close ; la stagiaire télécharge le sien depuis sa page', { timeout: 180_000 }, async () => {
  const page = await staff.newPage();
  await goto(page, `/gestion/sessions/${plan.id}`);
  await navigate(page, () => page.getByRole('link', { name: 'Certificats', exact: true }).click());
  const table = page.getByRole('table', { name: 'Documents de fin de formation de chaque stagiaire' });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: nameOf(TRAINEES.ines), exact: true }) });
  assert.match(norm(await row.innerText()), /prêt à délivrer/);
  await navigate(page, () => page.getByRole('button', { name: /^Délivrer / }).click());
  assert.match(norm(await page.getByRole('status').first().innerText()), /certificats délivrés/);
  assert.match(norm(await row.innerText()), /[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}/);
  await page.close();

  const context = await newContext(browser, server.url, PHONE);
  const trainee = await context.newPage();
  await goto(trainee, plan.links.ines);
  const documents = trainee.getByRole('region', { name: 'Vos documents de fin de formation' });
  const link = documents.getByRole('link', { name: 'Certificat de réalisation (PDF)' });
  const href = await link.getAttribute('href');
  assert.match(href, /^\/verifier\/[0-9A-Z]{16}\/document\.pdf$/);
  await checkA11y(trainee, 'page-personnelle-documents');
  const pdf = await context.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-type'], /^application\/pdf/);
  assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
  await context.close();
});
