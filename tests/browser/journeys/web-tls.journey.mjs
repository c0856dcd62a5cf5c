// hogod serving HTTPS (a self-signed certificate made with openssl for this run): the session
// cookies of the center and the console carry Secure besides HttpOnly, SameSite=Strict, their
// Path and an expiry, and the pages pass the same checks as over plain HTTP. Test layer (browser journey).
import { Hogod } from "../harness.mjs";

export default {
  name: "web-tls",
  async run(t) {
    const tls = await Hogod.start(t.store, { tls: true });
    try {
      t.expect(tls.origin.startsWith("https://"), `the TLS hogod listens on ${tls.origin}`);
      const page = await t.newPage(tls);
      const person = t.person("irp", "tls-person");
      await t.signinPerson(person, "center", page);   // checks Secure on hogo_center
      t.expect(page.url().startsWith("https://"), `signed in at ${page.url()}`);
      const officer = t.officer("irp", "tls-officer", "viewer");
      const office = await t.newPage(tls);
      await t.signinOfficer(officer, "console", office);  // checks Secure on hogo_console
    } finally {
      await tls.stop();
    }
  },
};
