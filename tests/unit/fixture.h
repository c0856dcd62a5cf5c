/*
 * A small policy used by the engine's unit tests: its text and its YAML, written so that
 * every kind of rule, condition and obligation appears once. Tests modify the YAML with
 * fixture_replace() to produce each malformed variant.
 * Test layer.
 */
#ifndef HOGO_TEST_FIXTURE_H
#define HOGO_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

static const char fixture_text[] =
    "テスト株式会社 プライバシーポリシー\n"
    "15歳以下の場合には、保護者に同意いただくものとします。\n"
    "(1) ユーザーが応募した企業に、選考のために提供します。\n"
    "(2) 営業提案のため、氏名や住所の情報の除外や、性別や年代の属性情報にする等の加工をした上で提供します。\n"
    "(3) 要配慮個人情報は第三者に提供しません。\n"
    "(4) Ponta会員IDを連携した場合、株式会社ロイヤリティマーケティングに提供します。\n"
    "(5) 外国にある第三者に提供することがあります。\n"
    "法令に基づく場合、および別途ユーザーの同意を得た場合は提供します。\n"
    "利用の停止を求めることができま\n\nす。\n"; /* a word broken across lines, as in a seed */

static const char fixture_yaml[] =
    "policy: irp\n"
    "operator: {ja: テスト株式会社, en: Test K.K.}\n"
    "version: '2025-04-01'\n"
    "source: text/t.txt\n"
    "clauses:\n"
    "  - id: preamble\n"
    "    rules:\n"
    "      - effect: forbid\n"
    "        quote: 15歳以下の場合には、保護者に同意いただくものとします。\n"
    "        actions: [use, provide]\n"
    "        when: {all: [{age_at_most: 15}, {not: {is: {guardian_consent: true}}}]}\n"
    "        obligations: [guardian_consent_required]\n"
    "        yields_to: [law, police_investigation, court_order]\n"
    "  - id: 3(1)\n"
    "    rules:\n"
    "      - effect: permit\n"
    "        quote: ユーザーが応募した企業に、選考のために提供します。\n"
    "        actions: [provide]\n"
    "        recipients: [participating_company]\n"
    "        purposes: [recruitment_selection]\n"
    "        when: {recipient_in: applied_to}\n"
    "  - id: 3(2)\n"
    "    rules:\n"
    "      - effect: permit\n"
    "        quote: 営業提案のため\n"
    "        actions: [provide]\n"
    "        recipients: [participating_company, prospective_client]\n"
    "        purposes: [sales_proposal]\n"
    "        forms: [deidentified, statistics]\n"
    "  - id: 3(3)\n"
    "    rules:\n"
    "      - effect: forbid\n"
    "        quote: 要配慮個人情報は第三者に提供しません。\n"
    "        actions: [provide]\n"
    "        data: [sensitive_info]\n"
    "        yields_to: [consent, law, police_investigation, court_order]\n"
    "  - id: 3(4)\n"
    "    rules:\n"
    "      - effect: permit\n"
    "        quote: Ponta会員IDを連携した場合、株式会社ロイヤリティマーケティングに提供します。\n"
    "        actions: [provide]\n"
    "        recipients: [loyalty_marketing]\n"
    "        purposes: [ponta_registration]\n"
    "        data: [registration_info, contact, name]\n"
    "        when: {any: [{has: {linked_accounts: ponta}}, {has: {linking_in_progress: ponta}}]}\n"
    "  - id: '5'\n"
    "    rules:\n"
    "      - effect: obligation\n"
    "        quote: 外国にある第三者に提供することがあります。\n"
    "        actions: [provide]\n"
    "        when: {recipient_foreign: true}\n"
    "  - id: '3'\n"
    "    rules:\n"
    "      - effect: permit\n"
    "        quote: 法令に基づく場合\n"
    "        actions: [provide, use]\n"
    "        basis: [law, police_investigation, court_order]\n"
    "      - effect: permit\n"
    "        quote: 別途ユーザーの同意を得た場合は提供します。\n"
    "        actions: [provide]\n"
    "        basis: [consent]\n"
    "  - id: '7'\n"
    "    rules:\n"
    "      - effect: forbid\n"
    "        quote: 利用の停止を求めることができます。\n"
    "        actions: [use, provide]\n"
    "        when: {purpose_opted_out: true}\n"
    "        yields_to: [law, police_investigation, court_order]\n";

/* Returns an allocated copy of fixture_yaml with the first `from` replaced by `to`. */
static inline char *fixture_replace(const char *from, const char *to)
{
    const char *at = strstr(fixture_yaml, from);
    if (!at)
        return NULL;
    size_t need = sizeof fixture_yaml + strlen(to) + 1;
    char *out = malloc(need);
    if (!out)
        return NULL;
    size_t head = (size_t)(at - fixture_yaml);
    memcpy(out, fixture_yaml, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

#endif
