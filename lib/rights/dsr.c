/*
 * Rights requests (開示等の請求, APPI Arts. 32-39): opening, identity verification, the state
 * machine, refusal on the APPI's grounds, withdrawal, the work queue and its deadlines.
 * Rights layer. The states, the transitions between them, the kinds and the refusal grounds
 * are tables below; every transition is a row of dsr_transitions and an audit event naming
 * who made it, in the transaction that makes it. Completion and its effects: complete.c.
 */
#include "rights_int.h"

#include "policy/policy_int.h"

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_US (86400LL * 1000000LL)
#define ART39_FLAG_DAYS 10 /* Art. 39: a suit may follow two weeks after the request */

/* ---- the tables ---- */

struct kind_def {
    const char *id, *ja, *article;
};
static const struct kind_def kinds[] = {
    {"disclosure", "保有個人データの開示", "第33条第1項"},
    {"provision_records", "第三者提供記録の開示", "第33条第5項"},
    {"correction", "内容の訂正・追加", "第34条"},
    {"deletion", "内容の削除", "第34条"},
    {"suspension", "利用の停止", "第35条第1項"},
    {"erasure", "消去", "第35条第1項"},
    {"cessation", "第三者提供の停止", "第35条第3項"},
    {"purpose_notice", "利用目的の通知", "第32条第2項"},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

struct state_def {
    const char *id, *ja;
    int open;
};
static const struct state_def states[] = {
    {"received", "受付", 1},          {"identity_pending", "本人確認中", 1},
    {"verified", "本人確認済", 1},    {"in_progress", "対応中", 1},
    {"completed", "完了", 0},         {"refused", "不対応（理由通知済）", 0},
    {"withdrawn", "取下げ", 0},
};
#define N_STATES (sizeof states / sizeof states[0])

struct transition_def {
    const char *from, *event, *to;
};
/* Every allowed move; anything else is refused with the moves the state allows. */
static const struct transition_def transitions[] = {
    {"received", "verify_pending", "identity_pending"},
    {"received", "verify", "verified"},
    {"identity_pending", "verify", "verified"},
    {"verified", "start", "in_progress"},
    {"in_progress", "complete", "completed"},
    {"received", "refuse", "refused"},
    {"identity_pending", "refuse", "refused"},
    {"verified", "refuse", "refused"},
    {"in_progress", "refuse", "refused"},
    {"received", "withdraw", "withdrawn"},
    {"identity_pending", "withdraw", "withdrawn"},
    {"verified", "withdraw", "withdrawn"},
    {"in_progress", "withdraw", "withdrawn"},
};
#define N_TRANSITIONS (sizeof transitions / sizeof transitions[0])

/* Refusal grounds: the statute each cites and the kinds it may answer ("*" all). */
struct ground_def {
    const char *id, *article, *ja, *kinds;
};
static const struct ground_def grounds[] = {
    {"harm_to_person_or_others", "APPI Art. 33(2)(i)",
     "本人又は第三者の生命、身体、財産その他の権利利益を害するおそれがあるため",
     "disclosure provision_records"},
    {"serious_business_hindrance", "APPI Art. 33(2)(ii)",
     "当社の業務の適正な実施に著しい支障を及ぼすおそれがあるため",
     "disclosure provision_records"},
    {"violation_of_other_laws", "APPI Art. 33(2)(iii)", "他の法令に違反することとなるため",
     "disclosure provision_records"},
    {"no_such_data", "APPI Art. 33(3)", "ご請求に係る保有個人データが存在しないため",
     "disclosure provision_records correction deletion suspension erasure cessation"},
    {"content_is_true", "APPI Art. 34(1)",
     "ご請求に係る保有個人データの内容が事実であることを確認したため", "correction deletion"},
    {"no_statutory_ground", "APPI Art. 35(1)(3)(5)",
     "法令に定める利用停止等の要件（目的外利用、不適正な利用、不正取得、同意のない第三者提供、"
     "利用する必要がなくなった場合、漏えい等の発生、権利利益が害されるおそれ）に該当しないため",
     "suspension erasure cessation"},
    {"alternative_measure_taken", "APPI Art. 35(2)(4)(6) proviso",
     "多額の費用を要する等、利用停止等が困難であり、本人の権利利益を保護するため必要な代替措置を"
     "講じたため",
     "suspension erasure cessation"},
    {"purpose_already_known", "APPI Art. 32(2)(i)(ii)",
     "利用目的が既に明らかであるか、通知により本人又は第三者の権利利益若しくは当社の権利又は正当"
     "な利益を害するおそれがあるため",
     "purpose_notice"},
    {"identity_not_verified", "APPI Art. 37(2); the policy's identity check",
     "当社所定の本人確認に必要な項目が満たされず、ご本人からの請求であることを確認できないため",
     "*"},
    {"agency_not_verified", "APPI Art. 37(3); Cabinet Order Art. 13",
     "代理人の代理権を確認できないため", "*"},
};
#define N_GROUNDS (sizeof grounds / sizeof grounds[0])

static const char *const verify_methods[] = {"login_session", "jpki", "callback", "documents",
                                             "in_person"};
#define N_METHODS (sizeof verify_methods / sizeof verify_methods[0])

static const struct kind_def *find_kind(const char *k)
{
    for (size_t i = 0; k && i < N_KINDS; i++)
        if (!strcmp(kinds[i].id, k))
            return &kinds[i];
    return NULL;
}

static const struct state_def *find_state(const char *s)
{
    for (size_t i = 0; s && i < N_STATES; i++)
        if (!strcmp(states[i].id, s))
            return &states[i];
    return NULL;
}

static const struct ground_def *find_ground(const char *g)
{
    for (size_t i = 0; g && i < N_GROUNDS; i++)
        if (!strcmp(grounds[i].id, g))
            return &grounds[i];
    return NULL;
}

int hogo_dsr_kind_valid(const char *kind) { return find_kind(kind) != NULL; }

static const char kinds_list[] = "disclosure, provision_records, correction, deletion, "
                                 "suspension, erasure, cessation, purpose_notice";

const char *hogo_dsr_grounds_json(void)
{
    static char buf[4096];
    if (buf[0])
        return buf;
    size_t off = 0;
    off += (size_t)snprintf(buf + off, sizeof buf - off, "[");
    for (size_t i = 0; i < N_GROUNDS && off < sizeof buf; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off,
                                "%s{\"ground\":\"%s\",\"article\":\"%s\",\"kinds\":\"%s\"}",
                                i ? "," : "", grounds[i].id, grounds[i].article,
                                grounds[i].kinds);
    if (off < sizeof buf)
        snprintf(buf + off, sizeof buf - off, "]");
    return buf;
}

/* ---- shared helpers ---- */

void rights_actor_set(struct hogo_store *st, const char *actor, char saved[128])
{
    memcpy(saved, st->actor, 128);
    if (actor && *actor)
        snprintf(st->actor, sizeof st->actor, "%s", actor);
    /* the actor goes into JSON details as it is: no quotes, backslashes or controls */
    for (char *c = st->actor; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '_';
}

void rights_actor_restore(struct hogo_store *st, const char saved[128])
{
    memcpy(st->actor, saved, 128);
}

void rights_new_id(const char *prefix, char id[HOGO_DSR_ID_BYTES])
{
    unsigned char r[12];
    char hex[25];
    randombytes_buf(r, sizeof r);
    hogo__hex(r, sizeof r, hex);
    snprintf(id, HOGO_DSR_ID_BYTES, "%s%s", prefix, hex);
}

static void jst_tm(int64_t us, struct tm *tm)
{
    time_t t = (time_t)(us / 1000000 + 9 * 3600);
    gmtime_r(&t, tm);
}

void rights_jst_date(int64_t us, char out[11])
{
    struct tm tm;
    jst_tm(us, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void rights_jst_date_ja(int64_t us, char out[32])
{
    struct tm tm;
    jst_tm(us, &tm);
    snprintf(out, 32, "%d年%d月%d日", (tm.tm_year + 1900) % 100000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
}

int rights_append(char **s, const char *text)
{
    size_t a = *s ? strlen(*s) : 0, b = strlen(text);
    char *n = realloc(*s, a + b + 1);
    if (!n)
        return HOGO_ENOMEM;
    memcpy(n + a, text, b + 1);
    *s = n;
    return 0;
}

void rights_policy_clause(const struct hogo_policy *p, const char **clause, const char **quote)
{
    *clause = *quote = NULL;
    if (!p)
        return;
    for (int i = 0; i < p->nrules; i++) {
        const struct hogo__rule *r = &p->rules[i];
        if (r->quote && strstr(r->quote, "利用の停止")) {
            *clause = p->clauses[r->clause].id;
            *quote = r->quote;
            return;
        }
    }
}

/* ---- configuration ---- */

static int due_days(struct hogo_store *st, const char *kind, int64_t *days,
                    struct hogo_error *err)
{
    char key[64];
    char *v = NULL;
    snprintf(key, sizeof key, "dsr.due_days.%s", kind);
    struct hogo__val p[] = {HV_TEXT(key)};
    int rc = hogo__query_text(st, "SELECT value FROM hogo_meta WHERE key = ?", p, 1, &v, err);
    if (rc == 0 && !v) {
        struct hogo__val d[] = {HV_TEXT("dsr.due_days.default")};
        rc = hogo__query_text(st, "SELECT value FROM hogo_meta WHERE key = ?", d, 1, &v, err);
    }
    *days = v ? strtoll(v, NULL, 10) : ART39_FLAG_DAYS;
    free(v);
    return rc;
}

int hogo_dsr_config_set(struct hogo_store *st, const char *kind, int days,
                        struct hogo_error *err)
{
    if (kind && !find_kind(kind))
        return hogo_error_set(err, HOGO_EINVAL, NULL, "unknown request kind '%s'; kinds: %s",
                              kind, kinds_list);
    if (days < 1 || days > 365)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "due days must be 1 to 365, not %d (the law says 遅滞なく; a "
                              "person may sue two weeks after a request, APPI Art. 39)",
                              days);
    char key[64], val[16], detail[96];
    snprintf(key, sizeof key, "dsr.due_days.%s", kind ? kind : "default");
    snprintf(val, sizeof val, "%d", days);
    snprintf(detail, sizeof detail, "{\"key\":\"%s\",\"days\":%d}", key, days);
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    struct hogo__val p[] = {HV_TEXT(key), HV_TEXT(val)};
    rc = hogo__exec(st,
                    "INSERT INTO hogo_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                    "UPDATE SET value = excluded.value",
                    p, 2, NULL, err);
    if (rc == 0)
        rc = hogo__audit_append(st, NULL, "dsr.config", key, detail, err);
    return hogo__txn_end(st, rc, err);
}

/* ---- loading a request ---- */

static int take_request(void *ctx, const struct hogo__val *c, size_t n)
{
    struct rights_request *r = ctx;
    if (n < 8)
        return 1;
    snprintf(r->subject, sizeof r->subject, "%s", c[0].s ? c[0].s : "");
    snprintf(r->op, sizeof r->op, "%s", c[1].s ? c[1].s : "");
    snprintf(r->kind, sizeof r->kind, "%s", c[2].s ? c[2].s : "");
    snprintf(r->state, sizeof r->state, "%s", c[3].s ? c[3].s : "");
    snprintf(r->agent, sizeof r->agent, "%s", c[4].s ? c[4].s : "");
    snprintf(r->method, sizeof r->method, "%s", c[5].s ? c[5].s : "");
    r->received_at = c[6].i;
    if (c[7].type == HOGO__TEXT && !(r->detail = strdup(c[7].s)))
        return HOGO_ENOMEM;
    return 1;
}

static int load_request(struct hogo_store *st, const char *id, struct rights_request *r,
                        struct hogo_error *err)
{
    memset(r, 0, sizeof *r);
    if (!id || strlen(id) >= sizeof r->id)
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL, "request '%s' not found",
                              id ? id : "");
    snprintf(r->id, sizeof r->id, "%s", id);
    struct hogo__val p[] = {HV_TEXT(id)};
    int rc = hogo__query(st,
                         "SELECT subject_id, operator, kind, state, agent, method, received_at,"
                         " detail FROM dsr_requests WHERE request_id = ?",
                         p, 1, take_request, r, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    if (rc == 0 && !r->state[0])
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "request '%s' not found; 'hogo dsr list' shows the requests", id);
    return rc;
}

/* Moves r along event (must be allowed from its state): the row, a transition row and an
 * audit event naming the actor, in the caller's transaction. */
static int move(struct hogo_store *st, struct rights_request *r, const char *event,
                const char *note_json, struct hogo_error *err)
{
    const struct transition_def *t = NULL;
    char allowed[256] = "";
    for (size_t i = 0; i < N_TRANSITIONS; i++) {
        if (strcmp(transitions[i].from, r->state))
            continue;
        if (!strcmp(transitions[i].event, event))
            t = &transitions[i];
        size_t l = strlen(allowed);
        snprintf(allowed + l, sizeof allowed - l, "%s%s", l ? ", " : "", transitions[i].event);
    }
    if (!t)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "request %s is %s: '%s' is not possible from there (possible: "
                              "%s)",
                              r->id, r->state, event, allowed[0] ? allowed : "nothing, it is closed");
    int64_t now = hogo__now_us(st), n = 0;
    const struct state_def *to = find_state(t->to);
    struct hogo__val q[] = {HV_TEXT(r->id)};
    int rc = hogo__query_int(st, "SELECT COUNT(*) FROM dsr_transitions WHERE request_id = ?", q,
                             1, &n, NULL, err);
    struct hogo__val u[] = {HV_TEXT(t->to), HV_INT(to->open), HV_INT(now),
                            HV_INT(to->open ? 0 : now), HV_TEXT(r->id), HV_TEXT(r->state)};
    int64_t changed = 0;
    if (rc == 0)
        rc = hogo__exec(st,
                        "UPDATE dsr_requests SET state = ?, is_open = ?, updated_at = ?,"
                        " closed_at = NULLIF(?, 0) WHERE request_id = ? AND state = ?",
                        u, 6, &changed, err);
    if (rc == 0 && changed != 1)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "request %s changed state meanwhile; look again with 'hogo dsr "
                            "show %s'",
                            r->id, r->id);
    struct hogo__val ins[] = {HV_TEXT(r->id), HV_INT(n + 1), HV_TEXT(r->state), HV_TEXT(t->to),
                              HV_INT(now), HV_TEXT(st->actor), HV_TEXT(note_json)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO dsr_transitions (request_id, n, from_state, to_state, at,"
                        " actor, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        ins, 7, NULL, err);
    if (rc == 0) {
        char action[48], object[160];
        char *detail = NULL;
        snprintf(action, sizeof action, "dsr.%s", t->to);
        snprintf(object, sizeof object, "request:%s kind:%s from:%s to:%s", r->id, r->kind,
                 r->state, t->to);
        yajl_gen g = yajl_gen_alloc(NULL);
        if (!g)
            return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        yajl_gen_map_open(g);
        hogo__gen_kv_str(g, "actor", st->actor);
        hogo__gen_kv_str(g, "event", event);
        if (note_json) {
            hogo__gen_str(g, "note");
            yajl_gen_number(g, note_json, strlen(note_json)); /* already JSON */
        }
        yajl_gen_map_close(g);
        rc = hogo__gen_take(g, &detail, err);
        yajl_gen_free(g);
        if (rc == 0)
            rc = hogo__audit_append(st, r->subject, action, object, detail, err);
        free(detail);
    }
    if (rc == 0)
        snprintf(r->state, sizeof r->state, "%s", t->to);
    return rc;
}

/* ---- opening ---- */

static int check_open(struct hogo_store *st, const struct hogo_dsr_open *o, const char **agent,
                      const char **method, struct hogo_error *err)
{
    if (!find_kind(o->kind))
        return hogo_error_set(err, HOGO_EINVAL, "/kind",
                              "unknown request kind '%s'; kinds: %s", o->kind ? o->kind : "",
                              kinds_list);
    *agent = o->agent && *o->agent ? o->agent : "self";
    *method = o->method && *o->method ? o->method : "electronic";
    if (strcmp(*method, "electronic") && strcmp(*method, "paper"))
        return hogo_error_set(err, HOGO_EINVAL, "/method",
                              "method '%s' is neither 'electronic' nor 'paper' (APPI Art. 33(1):"
                              " the person chooses how disclosure is given)",
                              *method);
    if (!strcmp(*agent, "self")) {
        if (o->agent_name || o->represents || o->agent_document)
            return hogo_error_set(err, HOGO_EINVAL, "/agent",
                                  "agent details were given without --agent; say "
                                  "legal_representative or authorised_agent");
        return 0;
    }
    if (strcmp(*agent, "legal_representative") && strcmp(*agent, "authorised_agent"))
        return hogo_error_set(err, HOGO_EINVAL, "/agent",
                              "agent '%s' is not one APPI Art. 37 and Cabinet Order Art. 13 "
                              "allow: 'legal_representative' (of a minor or ward) or "
                              "'authorised_agent' (authorised by the person)",
                              *agent);
    if (!o->agent_name || !*o->agent_name)
        return hogo_error_set(err, HOGO_EINVAL, "/agent_name",
                              "an agent's request needs the agent's name (--agent-name)");
    if (!strcmp(*agent, "legal_representative")) {
        if (!o->represents || (strcmp(o->represents, "minor") && strcmp(o->represents, "ward")))
            return hogo_error_set(err, HOGO_EINVAL, "/represents",
                                  "a legal representative represents a 'minor' or a 'ward' "
                                  "(成年被後見人); say which with --represents");
        if (!strcmp(o->represents, "minor")) {
            /* the age of majority is 18 (Civil Code Art. 4) */
            char *age = NULL;
            struct hogo__val p[] = {HV_TEXT(o->subject_id)};
            int rc = hogo__query_text(st,
                                      "SELECT value FROM subject_facts WHERE subject_id = ? AND "
                                      "fact = 'age'",
                                      p, 1, &age, err);
            long a = age ? strtol(age, NULL, 10) : -1;
            free(age);
            if (rc < 0)
                return rc;
            if (a >= 18)
                return hogo_error_set(err, HOGO_EINVAL, "/represents",
                                      "subject '%s' is %ld, not a minor (the age of majority is "
                                      "18); an adult's agent is an authorised_agent with a "
                                      "power of attorney",
                                      o->subject_id, a);
        }
    } else if (!o->agent_document || !*o->agent_document)
        return hogo_error_set(err, HOGO_EINVAL, "/agent_document",
                              "an authorised agent needs the document that authorises it (委任"
                              "状): --agent-document REFERENCE");
    return 0;
}

int hogo_dsr_open(struct hogo_store *st, const struct hogo_dsr_open *o,
                  char id[HOGO_DSR_ID_BYTES], struct hogo_error *err)
{
    const char *agent = NULL, *method = NULL;
    int rc = hogo__check_id(o->subject_id, "subject id", err);
    if (rc == 0 && o->detail_json) {
        /* what is asked must be a JSON object; values of personal data are not kept here */
        const char *s = o->detail_json;
        while (*s == ' ')
            s++;
        yajl_val t = *s == '{' ? yajl_tree_parse(s, NULL, 0) : NULL;
        if (!t || !YAJL_IS_OBJECT(t))
            rc = hogo_error_set(err, HOGO_EINVAL, "/detail",
                                "the request detail must be a JSON object such as "
                                "{\"item\":3} or {\"category\":\"email\"}");
        yajl_tree_free(t);
    }
    if (rc < 0)
        return rc;
    char saved[128];
    rights_actor_set(st, o->actor, saved);
    rc = hogo__txn_begin(st, err);
    if (rc < 0) {
        rights_actor_restore(st, saved);
        return rc;
    }
    char *op = NULL;
    struct hogo__val ps[] = {HV_TEXT(o->subject_id)};
    rc = hogo__query_text(st, "SELECT operator FROM subjects WHERE subject_id = ?", ps, 1, &op,
                          err);
    if (rc == 0 && !op)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, "/subject",
                            "subject '%s' not found; a request names a person hogo knows "
                            "('hogo subject list')",
                            o->subject_id);
    if (rc == 0)
        rc = check_open(st, o, &agent, &method, err);
    int64_t days = 0, now = hogo__now_us(st);
    if (rc == 0)
        rc = due_days(st, o->kind, &days, err);
    char rid[HOGO_DSR_ID_BYTES];
    rights_new_id("dsr-", rid);
    int64_t due = now + days * DAY_US;
    if (rc == 0) {
        struct hogo__val p[] = {HV_TEXT(rid), HV_TEXT(o->subject_id), HV_TEXT(op),
                                HV_TEXT(o->kind), HV_TEXT(agent), HV_TEXT(o->agent_name),
                                HV_TEXT(o->represents), HV_TEXT(o->agent_document),
                                HV_TEXT(method), HV_TEXT(o->channel), HV_TEXT(o->detail_json),
                                HV_INT(now), HV_INT(due), HV_INT(now)};
        rc = hogo__exec(st,
                        "INSERT INTO dsr_requests (request_id, subject_id, operator, kind, state,"
                        " is_open, agent, agent_name, represents, agent_document, method,"
                        " channel, detail, received_at, due_at, updated_at) VALUES (?, ?, ?, ?,"
                        " 'received', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        p, 14, NULL, err);
    }
    if (rc == 0) {
        struct hogo__val t[] = {HV_TEXT(rid), HV_INT(now), HV_TEXT(st->actor)};
        rc = hogo__exec(st,
                        "INSERT INTO dsr_transitions (request_id, n, from_state, to_state, at,"
                        " actor) VALUES (?, 1, '', 'received', ?, ?)",
                        t, 3, NULL, err);
    }
    if (rc == 0) {
        char object[160], due_s[11];
        char *detail = NULL;
        snprintf(object, sizeof object, "request:%s kind:%s to:received", rid, o->kind);
        rights_jst_date(due, due_s);
        yajl_gen g = yajl_gen_alloc(NULL);
        if (!g) {
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        } else {
            yajl_gen_map_open(g);
            hogo__gen_kv_str(g, "actor", st->actor);
            hogo__gen_kv_str(g, "agent", agent);
            hogo__gen_kv_str(g, "agent_name", o->agent_name);
            hogo__gen_kv_str(g, "represents", o->represents);
            hogo__gen_kv_str(g, "agent_document", o->agent_document);
            hogo__gen_kv_str(g, "method", method);
            hogo__gen_kv_str(g, "due", due_s);
            yajl_gen_map_close(g);
            rc = hogo__gen_take(g, &detail, err);
            yajl_gen_free(g);
        }
        if (rc == 0)
            rc = hogo__audit_append(st, o->subject_id, "dsr.received", object, detail, err);
        free(detail);
    }
    free(op);
    rc = hogo__txn_end(st, rc, err);
    rights_actor_restore(st, saved);
    if (rc == 0)
        memcpy(id, rid, HOGO_DSR_ID_BYTES);
    return rc;
}

/* ---- verification, start, withdrawal ---- */

/* Runs fn on the loaded request inside one transaction as actor. */
static int with_request(struct hogo_store *st, const char *id, const char *actor,
                        int (*fn)(struct hogo_store *, struct rights_request *, void *,
                                  struct hogo_error *),
                        void *ctx, struct hogo_error *err)
{
    char saved[128];
    struct rights_request r;
    rights_actor_set(st, actor, saved);
    int rc = hogo__txn_begin(st, err);
    if (rc == 0) {
        rc = load_request(st, id, &r, err);
        if (rc == 0)
            rc = fn(st, &r, ctx, err);
        free(r.detail);
        rc = hogo__txn_end(st, rc, err);
    }
    rights_actor_restore(st, saved);
    return rc;
}

struct verify_args {
    const char *method, *verifier;
    int pending;
};

static int do_verify(struct hogo_store *st, struct rights_request *r, void *ctx,
                     struct hogo_error *err)
{
    struct verify_args *a = ctx;
    char note[512];
    snprintf(note, sizeof note, "{\"method\":\"%s\",\"verifier\":\"%s\"}", a->method,
             a->verifier);
    if (a->pending)
        return move(st, r, "verify_pending", note, err);
    int rc = move(st, r, "verify", note, err);
    struct hogo__val p[] = {HV_TEXT(a->method), HV_TEXT(a->verifier),
                            HV_INT(hogo__now_us(st)), HV_TEXT(r->id)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "UPDATE dsr_requests SET verify_method = ?, verifier = ?, verified_at = ?"
                        " WHERE request_id = ?",
                        p, 4, NULL, err);
    return rc;
}

int hogo_dsr_verify(struct hogo_store *st, const char *id, const char *method,
                    const char *verifier, int pending, const char *actor,
                    struct hogo_error *err)
{
    int known = 0;
    for (size_t i = 0; method && i < N_METHODS; i++)
        known |= !strcmp(method, verify_methods[i]);
    if (!known)
        return hogo_error_set(err, HOGO_EINVAL, "/method",
                              "identity check method '%s' is unknown; use login_session "
                              "(registered ID and password), jpki, callback (phone call-back), "
                              "documents (ID copy and registered mail) or in_person",
                              method ? method : "");
    int control = 0;
    for (const char *c = verifier ? verifier : ""; *c; c++)
        control |= (unsigned char)*c < 0x20;
    if (!verifier || !*verifier || strchr(verifier, '"') || strchr(verifier, '\\') ||
        strlen(verifier) > 128 || control)
        return hogo_error_set(err, HOGO_EINVAL, "/verifier",
                              "who checked the identity is needed (--verifier NAME, up to 128 "
                              "characters, no quotes, backslashes or control characters)");
    struct verify_args a = {method, verifier, pending};
    return with_request(st, id, actor, do_verify, &a, err);
}

static int do_start(struct hogo_store *st, struct rights_request *r, void *ctx,
                    struct hogo_error *err)
{
    (void)ctx;
    return move(st, r, "start", NULL, err);
}

int hogo_dsr_start(struct hogo_store *st, const char *id, const char *actor,
                   struct hogo_error *err)
{
    return with_request(st, id, actor, do_start, NULL, err);
}

static int do_withdraw(struct hogo_store *st, struct rights_request *r, void *ctx,
                       struct hogo_error *err)
{
    (void)ctx;
    return move(st, r, "withdraw", NULL, err);
}

int hogo_dsr_withdraw(struct hogo_store *st, const char *id, const char *actor,
                      struct hogo_error *err)
{
    return with_request(st, id, actor, do_withdraw, NULL, err);
}

/* ---- notices ---- */

static int notice_head(struct hogo_store *st, const struct rights_request *r, char **out)
{
    const struct kind_def *k = find_kind(r->kind);
    char got[32], today[32], buf[1024];
    rights_jst_date_ja(r->received_at, got);
    rights_jst_date_ja(hogo__now_us(st), today);
    snprintf(buf, sizeof buf,
             "%s\n%s 様\n\n%sに受け付けました%s（個人情報保護法%s）のご請求（受付番号 %s）について、"
             "次のとおりお知らせします。\n\n",
             today, r->subject, got, k->ja, k->article, r->id);
    return rights_append(out, buf);
}

/* ---- refusal ---- */

struct refuse_args {
    const char *ground, *reason;
    char *notice;
};

static int do_refuse(struct hogo_store *st, struct rights_request *r, void *ctx,
                     struct hogo_error *err)
{
    struct refuse_args *a = ctx;
    const struct ground_def *g = find_ground(a->ground);
    if (strcmp(g->kinds, "*") && !strstr(g->kinds, r->kind))
        return hogo_error_set(err, HOGO_EINVAL, "/ground",
                              "ground '%s' (%s) does not answer a %s request; it answers: %s",
                              g->id, g->article, r->kind, g->kinds);
    char note[256];
    snprintf(note, sizeof note, "{\"ground\":\"%s\",\"article\":\"%s\"}", g->id, g->article);
    int rc = move(st, r, "refuse", note, err);
    char buf[2048];
    if (rc == 0)
        rc = notice_head(st, r, &a->notice);
    if (rc == 0) {
        snprintf(buf, sizeof buf,
                 "誠に恐れ入りますが、次の理由により、ご請求に応じないことといたしました（個人情報"
                 "保護法第36条に基づく理由の説明）。\n\n理由: %s\n根拠: %s\n%s%s%s\n"
                 "この決定についてご不明な点は、プライバシーポリシーに記載の個人情報に関する問合せ先"
                 "までご連絡ください。\n",
                 g->ja, g->article, a->reason && *a->reason ? "補足: " : "",
                 a->reason && *a->reason ? a->reason : "", a->reason && *a->reason ? "\n" : "");
        rc = rights_append(&a->notice, buf) ? hogo_error_set(err, HOGO_ENOMEM, NULL,
                                                             "out of memory")
                                            : 0;
    }
    struct hogo__val p[] = {HV_TEXT(g->id), HV_TEXT(a->reason), HV_TEXT(a->notice),
                            HV_TEXT(r->id)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "UPDATE dsr_requests SET ground = ?, reason = ?, notice = ? WHERE "
                        "request_id = ?",
                        p, 4, NULL, err);
    return rc;
}

int hogo_dsr_refuse(struct hogo_store *st, const char *id, const char *ground,
                    const char *reason, const char *actor, char **notice,
                    struct hogo_error *err)
{
    if (!find_ground(ground)) {
        char list[1024] = "";
        for (size_t i = 0; i < N_GROUNDS; i++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s (%s)", i ? ", " : "", grounds[i].id,
                     grounds[i].article);
        }
        return hogo_error_set(err, HOGO_EINVAL, "/ground",
                              "refusal ground '%s' is not one the APPI allows; grounds: %s",
                              ground ? ground : "", list);
    }
    struct refuse_args a = {ground, reason, NULL};
    int rc = with_request(st, id, actor, do_refuse, &a, err);
    if (rc == 0 && notice)
        *notice = a.notice;
    else
        free(a.notice);
    return rc;
}

/* ---- completion ---- */

struct complete_args {
    const struct hogo_dsr_complete *c;
    char *notice;
};

static int do_complete(struct hogo_store *st, struct rights_request *r, void *ctx,
                       struct hogo_error *err)
{
    struct complete_args *a = ctx;
    int rc = 0;
    if (!strcmp(r->state, "verified"))
        rc = move(st, r, "start", NULL, err);
    else if (strcmp(r->state, "in_progress"))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "request %s is %s: only a request whose identity check is done "
                              "(verified or in_progress) can be completed%s",
                              r->id, r->state,
                              !strcmp(r->state, "received") ||
                                      !strcmp(r->state, "identity_pending")
                                  ? "; verify it first with 'hogo dsr verify'"
                                  : "");
    char *para = NULL;
    if (rc == 0)
        rc = notice_head(st, r, &a->notice);
    if (rc == 0)
        rc = rights_effect(st, r, a->c, &para, err);
    if (rc == 0 && para && rights_append(&a->notice, para))
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    free(para);
    if (rc == 0 && rights_append(&a->notice, "\nご不明な点は、プライバシーポリシーに記載の個人情報"
                                             "に関する問合せ先までご連絡ください。\n"))
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (rc == 0)
        rc = move(st, r, "complete", NULL, err);
    struct hogo__val p[] = {HV_TEXT(a->notice), HV_TEXT(r->id)};
    if (rc == 0)
        rc = hogo__exec(st, "UPDATE dsr_requests SET notice = ? WHERE request_id = ?", p, 2,
                        NULL, err);
    return rc;
}

int hogo_dsr_complete(struct hogo_store *st, const char *id, const struct hogo_dsr_complete *c,
                      char **notice, struct hogo_error *err)
{
    struct hogo_dsr_complete own = c ? *c : (struct hogo_dsr_complete){0};
    struct hogo_policy *loaded = NULL;
    int rc = 0;
    if (!own.policy) { /* the operator's policy, by the request's operator id */
        char *op = NULL;
        struct hogo__val p[] = {HV_TEXT(id)};
        rc = hogo__query_text(st, "SELECT operator FROM dsr_requests WHERE request_id = ?", p,
                              1, &op, err);
        if (rc == 0 && !op)
            rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                                "request '%s' not found; 'hogo dsr list' shows the requests",
                                id);
        if (rc == 0)
            rc = hogo_policy_open(op, NULL, &loaded, err);
        free(op);
        own.policy = loaded;
    }
    struct complete_args a = {&own, NULL};
    if (rc == 0)
        rc = with_request(st, id, own.actor, do_complete, &a, err);
    hogo_policy_free(loaded);
    if (rc == 0 && notice)
        *notice = a.notice;
    else
        free(a.notice);
    return rc;
}

/* ---- reading ---- */

static const char request_cols[] =
    "request_id, subject_id, operator, kind, state, agent, agent_name, represents,"
    " agent_document, method, channel, detail, received_at, due_at, verify_method, verifier,"
    " verified_at, closed_at, ground, reason, notice";

struct gen_ctx {
    yajl_gen g;
    int64_t now;
    int with_notice;
    int64_t rows;
};

static void gen_time(yajl_gen g, const char *k, const struct hogo__val *v)
{
    if (v->type != HOGO__INT) {
        hogo__gen_kv_str(g, k, NULL);
        return;
    }
    char t[32];
    hogo__fmt_time(v->i, t);
    hogo__gen_kv_str(g, k, t);
}

static int row_request(void *ctx, const struct hogo__val *c, size_t n)
{
    struct gen_ctx *x = ctx;
    yajl_gen g = x->g;
    if (n < 21)
        return 1;
    static const char *const names[] = {"id", "subject_id", "operator", "kind", "state",
                                        "agent", "agent_name", "represents", "agent_document",
                                        "method", "channel"};
    yajl_gen_map_open(g);
    for (int i = 0; i < 11; i++)
        hogo__gen_kv_str(g, names[i], c[i].type == HOGO__TEXT ? c[i].s : NULL);
    hogo__gen_str(g, "detail");
    if (c[11].type == HOGO__TEXT)
        yajl_gen_number(g, c[11].s, strlen(c[11].s));
    else
        yajl_gen_null(g);
    gen_time(g, "received_at", &c[12]);
    gen_time(g, "due_at", &c[13]);
    const struct state_def *s = find_state(c[4].s);
    int open = s && s->open;
    int64_t age_days = (x->now - c[12].i) / DAY_US;
    hogo__gen_str(g, "overdue");
    yajl_gen_bool(g, open && c[13].i < x->now);
    hogo__gen_str(g, "art39_risk"); /* older than 10 days and still open */
    yajl_gen_bool(g, open && age_days >= ART39_FLAG_DAYS);
    hogo__gen_kv_int(g, "age_days", age_days);
    hogo__gen_str(g, "verification");
    if (c[14].type == HOGO__TEXT) {
        yajl_gen_map_open(g);
        hogo__gen_kv_str(g, "method", c[14].s);
        hogo__gen_kv_str(g, "verifier", c[15].type == HOGO__TEXT ? c[15].s : NULL);
        gen_time(g, "at", &c[16]);
        yajl_gen_map_close(g);
    } else
        yajl_gen_null(g);
    gen_time(g, "closed_at", &c[17]);
    const struct ground_def *gd = c[18].type == HOGO__TEXT ? find_ground(c[18].s) : NULL;
    hogo__gen_kv_str(g, "ground", gd ? gd->id : NULL);
    hogo__gen_kv_str(g, "ground_article", gd ? gd->article : NULL);
    hogo__gen_kv_str(g, "reason", c[19].type == HOGO__TEXT ? c[19].s : NULL);
    if (x->with_notice)
        hogo__gen_kv_str(g, "notice", c[20].type == HOGO__TEXT ? c[20].s : NULL);
    x->rows++;
    return 0;
}

/* A list row: the request as an object of its own. */
static int row_request_closed(void *ctx, const struct hogo__val *c, size_t n)
{
    struct gen_ctx *x = ctx;
    int64_t before = x->rows;
    int rc = row_request(ctx, c, n);
    if (x->rows > before)
        yajl_gen_map_close(x->g);
    return rc;
}

static int row_transition(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 5)
        return 1;
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "from", c[0].s && *c[0].s ? c[0].s : NULL);
    hogo__gen_kv_str(g, "to", c[1].s);
    gen_time(g, "at", &c[2]);
    hogo__gen_kv_str(g, "actor", c[3].s);
    hogo__gen_str(g, "note");
    if (c[4].type == HOGO__TEXT)
        yajl_gen_number(g, c[4].s, strlen(c[4].s));
    else
        yajl_gen_null(g);
    yajl_gen_map_close(g);
    return 0;
}

int hogo_dsr_show_json(struct hogo_store *st, const char *id, char **json,
                       struct hogo_error *err)
{
    *json = NULL;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    struct gen_ctx x = {.g = g, .now = hogo__now_us(st), .with_notice = 1};
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM dsr_requests WHERE request_id = ?", request_cols);
    struct hogo__val p[] = {HV_TEXT(id)};
    int rc = hogo__txn_begin(st, err);
    if (rc == 0)
        rc = hogo__query(st, sql, p, 1, row_request, &x, err);
    if (rc == 0 && x.rows == 0)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "request '%s' not found; 'hogo dsr list' shows the requests", id);
    if (rc == 0) {
        hogo__gen_str(g, "history");
        yajl_gen_array_open(g);
        rc = hogo__query(st,
                         "SELECT from_state, to_state, at, actor, note FROM dsr_transitions "
                         "WHERE request_id = ? ORDER BY n",
                         p, 1, row_transition, g, err);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
    }
    return hogo__gen_end_read(st, g, rc, json, err);
}

int hogo_dsr_operator(struct hogo_store *st, const char *id, char op[64],
                      struct hogo_error *err)
{
    char *v = NULL;
    struct hogo__val p[] = {HV_TEXT(id)};
    int rc = hogo__query_text(st, "SELECT operator FROM dsr_requests WHERE request_id = ?", p,
                              1, &v, err);
    if (rc == 0 && !v)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "request '%s' not found", id);
    if (rc == 0)
        snprintf(op, 64, "%s", v);
    free(v);
    return rc;
}

int hogo_dsr_list_json(struct hogo_store *st, const char *operator_id, const char *subject,
                       const char *state, int overdue, char **json, struct hogo_error *err)
{
    *json = NULL;
    if (state && !find_state(state))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "unknown state '%s'; states: received, identity_pending, "
                              "verified, in_progress, completed, refused, withdrawn",
                              state);
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    int64_t now = hogo__now_us(st);
    struct gen_ctx x = {.g = g, .now = now};
    char sql[1024];
    struct hogo__val p[5];
    size_t np = 0;
    int off = snprintf(sql, sizeof sql, "SELECT %s FROM dsr_requests WHERE 1 = 1", request_cols);
    if (overdue) {
        /* open and past the due date, or open and older than 10 days (two queries over the
         * (is_open, due_at) index and the age bound, joined) */
        off += snprintf(sql + off, sizeof sql - (size_t)off,
                        " AND is_open = 1 AND (due_at < ? OR received_at < ?)");
        p[np++] = HV_INT(now);
        p[np++] = HV_INT(now - ART39_FLAG_DAYS * DAY_US);
    }
    if (operator_id) {
        off += snprintf(sql + off, sizeof sql - (size_t)off, " AND operator = ?");
        p[np++] = HV_TEXT(operator_id);
    }
    if (subject) {
        off += snprintf(sql + off, sizeof sql - (size_t)off, " AND subject_id = ?");
        p[np++] = HV_TEXT(subject);
    }
    if (state) {
        off += snprintf(sql + off, sizeof sql - (size_t)off, " AND state = ?");
        p[np++] = HV_TEXT(state);
    }
    snprintf(sql + off, sizeof sql - (size_t)off, " ORDER BY due_at, request_id");
    yajl_gen_array_open(g);
    int rc = hogo__txn_begin(st, err);
    if (rc == 0)
        rc = hogo__query(st, sql, p, np, row_request_closed, &x, err);
    yajl_gen_array_close(g);
    return hogo__gen_end_read(st, g, rc, json, err);
}

static int row_count(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n >= 2 && c[0].type == HOGO__TEXT)
        hogo__gen_kv_int(g, c[0].s, c[1].i);
    return 0;
}

int hogo_dsr_counts_json(struct hogo_store *st, char **json, struct hogo_error *err)
{
    *json = NULL;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    yajl_gen_map_open(g);
    int rc = hogo__txn_begin(st, err);
    if (rc == 0)
        rc = hogo__query(st, "SELECT state, COUNT(*) FROM dsr_requests GROUP BY state", NULL, 0,
                         row_count, g, err);
    yajl_gen_map_close(g);
    return hogo__gen_end_read(st, g, rc, json, err);
}
