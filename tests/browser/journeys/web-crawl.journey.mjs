// Every GET page reachable by links from the privacy center's home page, for a person who has
// facts, data, a consent, a provision record and a rights request, is visited and checked
// (axe, headers, inline code, foreign hosts; a screenshot each). On the way: no page shows
// anything of another operator's person or of another person of the same operator; every POST
// form carries a csrf field and refuses a POST without it, with a wrong one or from another
// site with 403 and an HTML page, changing nothing the store holds; and each link to the
// person's own rights request, with the id swapped for another person's, answers 404. Test
// layer (browser journey).
import { join } from "node:path";
import { SOURCE } from "../harness.mjs";

/** A person of irp with something on every center page, made through the CLI. */
export function personWithData(t, subject) {
  const h = (...a) => t.store.hogo(...a);
  t.person("irp", subject);
  h("subject", "set", subject, "applied_to", "9234567890123");
  h("subject", "set", subject, "age", "34");
  h("subject", "link", subject, "recruit_id");
  h("subject", "optout", subject, "ad_delivery");
  h("subject", "block", subject, "9234567890123");
  h("subject", "consent", subject, "--id", `${subject}-c1`, "--recipient", "participating_company",
    "--purpose", "recruitment_selection", "--data", "name", "--policy", "irp",
    "--policy-version", "2025-04-01");
  h("data", "put", subject, "name", "山田 花子");
  h("data", "put", subject, "contact", "hanako@example.jp");
  h("subject", "block", subject, "9234567890123", "--remove");
  h("provide", "--subject", subject, join(SOURCE, "examples", "irp-application-stored.json"));
  h("subject", "block", subject, "9234567890123");
  const request = h("dsr", "open", "--subject", subject, "--kind", "disclosure", "--channel", "web")
    .stdout.trim();
  return { operator: "irp", subject, request };
}

/** What the store holds about a person, to compare before and after refused POSTs. */
export function held(t, subject) {
  return [
    t.store.hogo("subject", "show", subject).stdout,
    t.store.hogo("data", "list", subject).stdout,
    t.store.hogo("dsr", "list", "--subject", subject, { ok: [0, 1] }).stdout,
    t.store.hogo("ledger", "list", "--subject", subject, { ok: [0, 1] }).stdout,
  ].join("\n");
}

/** Collects the POST forms of the page into `forms` (one per action). */
export async function collectForms(t, page, url, forms) {
  const found = await page.evaluate(() => [...document.querySelectorAll("form")].map((f) => ({
    method: (f.getAttribute("method") || "get").toLowerCase(),
    action: f.action,
    fields: [...new FormData(f)].map(([k, v]) => [k, String(v)]),
  })));
  for (const f of found) {
    if (f.method !== "post") continue;
    t.expect(f.fields.some(([k]) => k === "csrf"), `${url}: the POST form to ${f.action} has no csrf field`);
    if (!forms.has(f.action)) forms.set(f.action, { page: url, ...f });
  }
}

/** Posts each form without csrf, with a wrong one, and from a foreign Origin (with the right
 *  one): each must answer 403 with an HTML page carrying the security headers. */
export async function refusedPosts(t, page, forms) {
  for (const f of forms) {
    const path = new URL(f.action).pathname;
    const good = f.fields.find(([k]) => k === "csrf")?.[1] ?? "";
    t.expect(good.length >= 32, `the csrf token of the form to ${path} is short: ${JSON.stringify(good)}`);
    const cases = [
      ["without csrf", f.fields.filter(([k]) => k !== "csrf"), {}],
      ["with a wrong csrf", f.fields.map(([k, v]) => [k, k === "csrf" ? `${good.slice(0, -4)}AAAA` : v]), {}],
      ["from a foreign Origin", f.fields, { origin: "http://attacker.example" }],
      ["from a cross-site page hiding its Origin", f.fields, { origin: "null", "sec-fetch-site": "cross-site" }],
      ["with Origin null and no Sec-Fetch-Site", f.fields, { origin: "null" }],
    ];
    for (const [label, fields, headers] of cases) {
      const r = await page.request.post(f.action, { form: Object.fromEntries(fields), headers, maxRedirects: 0 });
      t.expect(r.status() === 403, `POST ${path} ${label}: ${r.status()}, expected 403`);
      t.checkHeaders(r, `POST ${path} ${label}`);
      t.expect((r.headers()["content-type"] || "").startsWith("text/html"),
        `POST ${path} ${label}: the 403 is not an HTML page`);
    }
  }
}

export default {
  name: "web-crawl",
  async run(t) {
    const person = personWithData(t, "crawl-person");
    // another operator's person and a neighbour of the same operator, never to be seen
    t.person("rcc", "crawl-stranger");
    t.store.hogo("data", "put", "crawl-stranger", "name", "他社 太郎");
    const strangerRequest = t.store.hogo("dsr", "open", "--subject", "crawl-stranger", "--kind",
      "disclosure", "--channel", "web").stdout.trim();
    const neighbour = personWithData(t, "crawl-neighbour");
    const strangers = ["crawl-stranger", "crawl-neighbour", "他社 太郎", strangerRequest, neighbour.request];

    await t.signinPerson(person, "signin");
    const forms = new Map(), ownLinks = new Set();
    const visited = await t.crawl("/center/", "/center/", {
      stepPrefix: "center-",
      // signing out and switching language are journeys of their own (web-security)
      skip: (u) => u.pathname === "/center/signout" || u.searchParams.has("lang"),
      onPage: async (page, url) => {
        await collectForms(t, page, url, forms);
        const html = await page.content();
        for (const s of strangers)
          t.expect(!html.includes(s), `${url} shows ${s}, which belongs to another person`);
        for (const href of await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((x) => x.href)))
          if (href.includes(person.request)) {
            const own = new URL(href);
            own.hash = "";
            if (!own.searchParams.has("lang")) ownLinks.add(own.href);
          }
      },
    });
    t.expect(visited.length >= 4, `the center's home page leads to ${visited.length} pages only`);

    // every form refuses a POST without csrf, with a wrong one or from another site
    const before = held(t, person.subject);
    await refusedPosts(t, t.page, [...forms.values()]);
    t.expect(held(t, person.subject) === before, "a refused POST changed what the store holds");
    t.expect(forms.size >= 1, "no POST form found on the center's pages");

    // the person's own request, its id swapped for another person's, answers 404
    let n = 0;
    for (const href of ownLinks) {
      for (const [who, id] of [["other-operator", strangerRequest], ["same-operator", neighbour.request]]) {
        const u = new URL(href.replaceAll(person.request, id));
        await t.goto(u.pathname + u.search, `${who}-request-${++n}`, { status: 404 });
        const html = await t.page.content();
        for (const s of ["crawl-stranger", "crawl-neighbour", "他社 太郎"])
          t.expect(!html.includes(s), `${u.pathname}: the 404 page shows ${s}`);
      }
    }
  },
};
