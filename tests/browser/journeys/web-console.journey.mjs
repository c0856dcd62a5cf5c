// The privacy office's console across its pages: the sign-in page without a session; an admin
// officer of one operator, whose people have rights requests and a breach incident, visits every
// GET page reachable from the console's home (each checked: axe, headers, inline code, foreign
// hosts, a screenshot); no page shows anything of another operator (its person, request,
// officer); each link to one of the operator's requests with the id swapped for another
// operator's answers 404; every POST form carries csrf and refuses a POST without it, with a
// wrong one or from another site (403, nothing stored changes); and the other operator's officer
// sees the other side the same way. Test layer (browser journey).
import { personWithData, collectForms, refusedPosts } from "./web-crawl.journey.mjs";

/** What the store holds that this journey's console forms could change (its own officers,
 *  people, requests and incident only: other journeys use the same store meanwhile). */
function officeState(t, subjects, officers, breach) {
  const out = t.store.hogo("officer", "list", "--format", "jsonl").stdout.split("\n")
    .filter((l) => officers.some((o) => l.includes(`"name":"${o}"`)));
  out.push(t.store.hogo("breach", "show", breach).stdout);
  for (const s of subjects) {
    out.push(t.store.hogo("subject", "show", s).stdout);
    out.push(t.store.hogo("dsr", "list", "--subject", s, { ok: [0, 1] }).stdout);
  }
  return out.join("\n");
}

export default {
  name: "web-console",
  async run(t) {
    // the password sign-in page, before any session, is checked like every page
    await t.goto("/console/", "no-session", { status: 401 });
    await t.goto("/console/signin", "signin-form");

    const person = personWithData(t, "office-person");            // irp, with a request
    const breach = t.store.hogo("breach", "open", "--summary", "誤送信による漏えい",
      "--discovered", "2026-12-01", "--items", "name,contact", "--operator", "irp").stdout.trim();
    t.store.hogo("breach", "affected", breach, "--subject", person.subject);
    t.store.hogo("breach", "assess", breach);
    const admin = t.officer("irp", "office-admin", "admin");
    t.officer("irp", "office-viewer", "viewer");
    // another operator: its person, request and officer must never show to irp's officers
    t.person("rcc", "office-stranger");
    const strangerRequest = t.store.hogo("dsr", "open", "--subject", "office-stranger", "--kind",
      "deletion", "--channel", "web").stdout.trim();
    const strangerOfficer = t.officer("rcc", "office-stranger-officer", "admin");
    const strangers = ["office-stranger", strangerRequest];

    await t.signinOfficer(admin, "home");
    const forms = new Map(), ownLinks = new Set();
    const visited = await t.crawl("/console/", "/console/", {
      stepPrefix: "irp-",
      skip: (u) => u.pathname === "/console/signout" || u.pathname === "/console/signin" ||
        u.searchParams.has("lang"),
      onPage: async (page, url) => {
        await collectForms(t, page, url, forms);
        const html = await page.content();
        for (const s of strangers)
          t.expect(!html.includes(s), `${url} shows ${s}, which belongs to another operator`);
        for (const href of await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((x) => x.href)))
          if (href.includes(person.request)) {
            const own = new URL(href);
            own.hash = "";
            if (!own.searchParams.has("lang")) ownLinks.add(own.href);
          }
      },
    });
    t.expect(visited.length >= 4, `the console's home page leads to ${visited.length} pages only`);
    t.expect(visited.some((u) => u.includes(person.request)), `the queue does not lead to request ${person.request}`);
    t.expect(visited.some((u) => u.includes(breach)), `the console does not lead to breach ${breach}`);

    const state = () => officeState(t, [person.subject, "office-stranger"],
      ["office-admin", "office-viewer", "office-stranger-officer"], breach);
    const before = state();
    await refusedPosts(t, t.page, [...forms.values()]);
    t.expect(state() === before,
      "a refused POST changed what the store holds");
    t.expect(forms.size >= 3, `only ${forms.size} POST forms found on the console's pages`);

    t.expect(ownLinks.size > 0, `no console page links to request ${person.request}`);
    let n = 0;
    for (const href of ownLinks) {
      const u = new URL(href.replaceAll(person.request, strangerRequest));
      if (u.pathname === new URL(href).pathname) continue;
      await t.goto(u.pathname + u.search, `other-operator-request-${++n}`, { status: 404 });
      const html = await t.page.content();
      t.expect(!html.includes("office-stranger"), `${u.pathname}: the 404 page shows the other operator's person`);
    }

    // the other operator's officer: its own request is there, irp's is not
    const other = await t.newPage();
    await t.signinOfficer(strangerOfficer, "rcc-home", other);
    await t.goto("/console/requests", "rcc-queue", { page: other });
    const queue = await other.content();
    t.expect(queue.includes(strangerRequest), `rcc's queue does not show its own request ${strangerRequest}`);
    t.expect(!queue.includes(person.request) && !queue.includes(person.subject),
      "rcc's queue shows irp's request");
    await t.goto(`/console/requests/${person.request}`, "rcc-irp-request", { status: 404, page: other });
    await t.goto(`/console/breaches/${breach}`, "rcc-irp-breach", { status: 404, page: other });
  },
};
