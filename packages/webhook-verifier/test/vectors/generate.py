#!/usr/bin/env python3
"""Independent ERPNext webhook vectors: the body is Python's json.dumps(data) (what Frappe sends), the
signature base64(HMAC-SHA256(secret, body)). Regenerate with: python3 test/vectors/generate.py"""
import base64, hashlib, hmac, json, os

CASES = [
    ("contract", "secret", {"name": "CUST-0001", "grand_total": 100.0, "city": "Z\u00fcrich"}),
    ("unicode", "s3cr\u00e9t-\u043a\u043b\u044e\u0447", {"student_name": "Zo\u00eb \u00c5sa \u5f20\u4f1f", "emoji": "\U0001F393", "ctrl": "tab\tnew\nline\u007f", "quote": "\"\\/"}),
    ("floats", "k", {"a": 100.0, "b": 0.1, "c": -0.0, "d": 1e16, "e": 1.5e-05, "f": 123456.789, "g": 1e-4, "h": 2.5e+300, "i": 0.0, "j": 1e15}),
    ("nested", "rotate-me-2026", {"doctype": "Student Group", "name": "EDU-SG-0001", "students": [{"student": "EDU-STU-0001", "active": 1, "idx": 1}, {"student": "EDU-STU-0002", "active": 0, "idx": 2}], "meta": {"empty_list": [], "empty_obj": {}, "none": None, "flag": True, "n": -42}}),
    ("template", "secret", {"event": "on_update", "event_id": "Student:EDU-STU-0001:2026-11-25 17:16:52.123456:on_update", "doctype": "Student", "name": "EDU-STU-0001", "modified": "2026-11-25 17:16:52.123456", "sent_at": "2026-11-25T17:16:53.000001+00:00"}),
    ("array", "secret", [1, 2.0, "three", None]),
    ("empty", "secret", {}),
]

out = []
for name, secret, data in CASES:
    body = json.dumps(data)
    sig = base64.b64encode(hmac.new(secret.encode("utf8"), body.encode("utf8"), hashlib.sha256).digest()).decode()
    out.append({"name": name, "secret": secret, "body": body, "signature": sig,
                "sha256": hashlib.sha256(body.encode("utf8")).hexdigest()})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "erpnext-vectors.json")
with open(path, "w", encoding="utf8") as f:
    json.dump(out, f, indent=2, ensure_ascii=True)
    f.write("\n")
