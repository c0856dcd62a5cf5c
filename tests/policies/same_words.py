#!/usr/bin/env python3
"""Same words, same rules: finds rules of different policies whose quotes are identical or
nearly so, and fails when the rules encode them differently although the words do not differ
in a way that matters, listing each such pair.

Test layer. Quotes are compared after dropping spacing, list bullets and Markdown links
(`[3. …](#)` keeps its text); "nearly so" is a similarity of at least 0.9 (difflib), or one
quote holding the other whole (one policy quotes more of the same sentence). A pair whose
rules legitimately differ is listed in same_words_allowed.txt, one pair a line, with the words
that make the difference: `rea 3(2) | rmc 3(2) | 連携する場合 (in progress counts) vs 連携した場合`.
A listed pair that no longer differs is reported too, so the list stays true.
Usage: same_words.py POLICY_DIR
"""
import difflib
import itertools
import json
import os
import re
import sys

import yaml

POLICIES = ["rcc", "rea", "rmc", "rkm", "irp"]
# what a rule decides; quote, note and title are words, not decisions
FIELDS = ["effect", "actions", "purposes", "data", "recipients", "services", "forms", "basis",
          "when", "unless", "yields_to", "third_party", "obligations", "record"]


def normalise(quote):
    q = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", quote)
    q = re.sub(r"[\s\u3000]+", "", q)
    return q.lstrip("・-※")


def canonical(value):
    """A rule field in a form where order inside lists does not matter."""
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return value


DEFAULT_DEID = {"deidentify": {"drop": ["address", "name"], "generalize": ["age_group", "gender"]}}


def effective(rule):
    """The rule with what the loader and the engine supply anyway written out the same way:
    default bases, the Art.25 duty on outsourcing, the default de-identification on a permit
    that demands it, and an exemption from records whatever its wording."""
    r = {k: rule[k] for k in FIELDS if k in rule}
    if r.get("effect") == "obligation" and canonical(r.get("basis")) == ["consent", "policy"]:
        del r["basis"]
    if r.get("effect") == "permit" and r.get("basis") == ["policy"]:
        del r["basis"]
    obligations = []
    for ob in r.get("obligations", []):
        if ob == "supervise_processor" and r.get("actions") == ["outsource"]:
            continue
        if canonical(ob) == DEFAULT_DEID:
            ob = "deidentify"
        if ob == "deidentify" and "identified" not in r.get("forms", ["identified"]):
            continue
        obligations.append(ob)
    if obligations:
        r["obligations"] = obligations
    else:
        r.pop("obligations", None)
    if isinstance(r.get("record"), dict) and "exempt" in r["record"]:
        r["record"] = "exempt"
    return r


def decisions(rule):
    return json.dumps({k: canonical(v) for k, v in effective(rule).items()},
                      ensure_ascii=False, sort_keys=True)


def load(policy_dir):
    """policy -> normalised quote -> (clause ids, set of rule decisions)."""
    out = {}
    for pol in POLICIES:
        with open(os.path.join(policy_dir, pol + ".yaml"), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        groups = {}
        for clause in doc["clauses"]:
            for rule in clause["rules"]:
                key = normalise(rule["quote"])
                clauses, rules = groups.setdefault(key, (set(), set()))
                clauses.add(str(clause["id"]))
                rules.add(decisions(rule))
        out[pol] = groups
    return out


def read_allowed(path):
    allowed = {}
    if not os.path.exists(path):
        return allowed
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not parts[2]:
                sys.exit(f"{path}:{n}: write 'POLICY CLAUSE | POLICY CLAUSE | the words that differ'")
            a, b = tuple(parts[0].split()), tuple(parts[1].split())
            allowed[frozenset([a, b])] = (n, parts[2])
    return allowed


def main():
    policy_dir = sys.argv[1] if len(sys.argv) > 1 else "policies"
    here = os.path.dirname(os.path.abspath(__file__))
    allowed = read_allowed(os.path.join(here, "same_words_allowed.txt"))
    groups = load(policy_dir)
    problems, compared, used = [], 0, set()
    for pa, pb in itertools.combinations(POLICIES, 2):
        for qa, (ca, ra) in groups[pa].items():
            for qb, (cb, rb) in groups[pb].items():
                if qa == qb:
                    ratio = 1.0
                elif min(len(qa), len(qb)) >= 20 and (qa in qb or qb in qa):
                    ratio = 0.99  # one policy quotes more of the same sentence
                else:
                    ratio = difflib.SequenceMatcher(None, qa, qb).ratio()
                if ratio < 0.9:
                    continue
                compared += 1
                if ra == rb:
                    continue
                keys = {frozenset([(pa, x), (pb, y)]) for x in ca for y in cb}
                hit = [k for k in keys if k in allowed]
                if hit:
                    used.update(hit)
                    continue
                only_a = sorted(ra - rb)
                only_b = sorted(rb - ra)
                problems.append(
                    f"{pa} {','.join(sorted(ca))} and {pb} {','.join(sorted(cb))}: "
                    f"{'the same words' if qa == qb else f'nearly the same words ({ratio:.2f})'} "
                    f"「{qa[:60]}…」 are encoded differently:\n"
                    f"    only in {pa}: {only_a}\n    only in {pb}: {only_b}")
    for key, (n, why) in allowed.items():
        if key not in used:
            problems.append(f"same_words_allowed.txt:{n}: {sorted(key)} no longer differ (or no "
                            f"longer quote nearly the same words); remove the line")
    for p in problems:
        print("FAIL " + p)
    print(f"{compared} pairs of near-identical quotes compared, {len(problems)} problems")
    return 1 if problems or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
