#!/usr/bin/env python3
"""The dashboard in a real headless Chromium (Selenium + Debian's chromium-driver), against a live
`steward serve`: every page loads without console errors and shows what the store holds, an admin
token can pause a queue from the overview, a read-only token sees no action buttons. Saves a
screenshot of each page to the folder given as the third argument (docs/images: the docs show
what the code draws), as dashboard-PAGE.png.

    dashboard-check.py BASE_URL ADMIN_TOKEN:READ_TOKEN SCREENSHOT_DIR
"""
import json
import re
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

base, tokens, shots = sys.argv[1], sys.argv[2], sys.argv[3]
admin, read = tokens.split(":")
os.makedirs(shots, exist_ok=True)


def api(method, path, body=None, token=admin):
    request = urllib.request.Request(base + "/api/v1" + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Authorization", "Bearer " + token)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


# What the store holds: jobs on two queues, a dead job, a schedule, a finished workflow run, pipelines.
job = api("POST", "/jobs", {"name": "steward.sleep", "queue": "mail", "payload": {"seconds": 600}, "delay": "1h"})
dead = api("POST", "/jobs", {"name": "steward.fail", "queue": "default", "payload": {"message": "boom"}, "max_attempts": 1})
urllib.request.urlopen(urllib.request.Request(
    base + "/api/v1/workflows", method="POST", headers={"Authorization": "Bearer " + admin},
    data=b"workflows:\n  hello:\n    version: 1\n    tasks:\n      - {name: greet, job: steward.echo, input: {who: '{{input.name}}'}}\n      - {name: shout, job: steward.echo, depends_on: [greet]}\n"), timeout=10)
run = api("POST", "/workflows/hello/runs", {"input": {"name": "Ada"}})
# A code workflow's run (the built-in steward.durable.approval), left waiting for its approval.
code = api("POST", "/workflows/steward.durable.approval/runs", {"id": "order-7", "input": {"order": "7", "sleep_s": 0.1}})
# Pipelines: a catalog, one finished execution with rows, one still running.
urllib.request.urlopen(urllib.request.Request(
    base + "/api/v1/pipelines", method="POST", headers={"Authorization": "Bearer " + admin},
    data=b"pipelines:\n  load_orders: {max_duration: 10m, reads: [raw.orders], writes: [dw.orders], anomaly: {metrics: [duration]}}\ndatasets:\n  dw.orders: {max_age: 1h}\n  dw.customers: {max_age: 1h}\n"), timeout=10)
loaded = api("POST", "/pipelines/load_orders/executions", {})
api("POST", f"/pipeline-executions/{loaded['id']}/finish", {"inserted": 120, "metrics": {"rejected": 2}})
running = api("POST", "/pipelines/load_orders/executions", {})
for _ in range(100):
    waiting = (api("GET", "/workflow-runs/order-7").get("waiting") or {}).get("kind")
    if api("GET", f"/jobs/{dead['id']}")["state"] == "dead" and api("GET", f"/workflow-runs/{run['id']}")["state"] == "succeeded" and waiting == "message":
        break
    time.sleep(0.1)
else:
    sys.exit("the worker did not finish the seed jobs")

# The serve's own worker has reported itself.
workers = api("GET", "/workers")
if not workers or workers[0]["state"] != "online":
    sys.exit(f"the serve's worker is not online in /workers: {workers}")
worker = workers[0]

options = Options()
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900", "--disable-dev-shm-usage"]:
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def open_page(page, token):
    # A hash change does not reload the page: clear the marker the page sets once it has rendered.
    driver.execute_script("if (document.body) document.body.dataset.loaded = ''")
    driver.get(base + "/#/" + page)
    loaded = "return document.body && document.body.dataset.loaded === 'true'"
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "token") or d.execute_script(loaded))
    if driver.find_elements(By.ID, "token"):
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "#login button").click()
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(loaded))
    time.sleep(0.3)


def console_errors():
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


try:
    pages = {
        "overview": ["mail", "default", "Steward's own queues", "steward.pipeline.freshness", "LAST HOUR: DEPTH, OK/MIN, FAILED/MIN", "OK / FAILED PER MIN", "now"],
        "jobs": [str(job["id"]), str(dead["id"]), "steward.sleep"],
        "dead": [str(dead["id"]), "boom"],
        "workers": ["Workers", worker["id"], worker["host"], str(worker["pid"]), "online", "LAST HEARTBEAT", " s ago"],
        "schedules": ["Schedules"],
        "workflows": ["hello", run["id"]],
        f"run/{run['id']}": ["greet", "shout", "succeeded"],
        "run/order-7": ["steward.durable.approval (code workflow)", "Waiting for a message on 'approve'", "reserve", "sleep", "receive", "approve"],
        f"job/{dead['id']}": ["boom", "Attempts"],
        "monitors": ["hot", "peak", "✗", "sensor_id=s2", "2026-01-01 00:0"],
        "pipelines": ["load_orders", "dw.customers", "never", "120 / — / —", str(running["id"])],
    }
    for page, expected in pages.items():
        open_page(page, admin)
        text = driver.find_element(By.ID, "main").text
        for needle in expected:
            check(needle in text, f"page {page}: '{needle}' not shown")
        errors = console_errors()
        check(not errors, f"page {page}: console errors {errors}")
        check("[object" not in text, f"page {page}: an element printed as text: {text[:200]}")
        if page.startswith("job/"):
            # Each label next to its own value: the job's name, queue, attempts and error.
            fields = driver.execute_script(
                "return [...document.querySelectorAll('main dl dt')].map(dt => [dt.textContent, dt.nextElementSibling && dt.nextElementSibling.tagName === 'DD' ? dt.nextElementSibling.textContent : null])")
            shown = {label: value for label, value in fields}
            check(len(fields) >= 10 and all(v is not None for _, v in fields), f"job page: a label without its value: {fields}")
            check(shown.get("name") == 'steward.fail', f"job page: name shows {shown.get('name')!r}")
            check(shown.get("queue") == 'default-dlq', f"job page: queue shows {shown.get('queue')!r}")
            check(shown.get("max_attempts") == "1", f"job page: max_attempts shows {shown.get('max_attempts')!r}")
            check("boom" in (shown.get("error") or ""), f"job page: error shows {shown.get('error')!r}")
        if page == "run/order-7":
            steps = [[td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")] for tr in driver.find_elements(By.CSS_SELECTOR, "tr[data-step]")]
            check([s[1:4] for s in steps] == [["step", "reserve", "succeeded"], ["sleep", "sleep", "succeeded"], ["receive", "approve", "pending"]],
                  f"code run: steps shown as {steps}")
            check("hold-7" in text, "code run: the reserve step's output is not shown")
        if page == f"run/{run['id']}":
            check(len(driver.find_elements(By.CSS_SELECTOR, "svg.dag g.node")) == 2, "the run's DAG does not show its two tasks")
            check(len(driver.find_elements(By.CSS_SELECTOR, "svg.dag line.edge")) == 1, "the run's DAG does not draw its edge")
        if page == "overview":
            # Dead, succeeded and cancelled have their columns: the dead seed job is counted on
            # its dead-letter queue, the workflow's jobs as succeeded on default.
            headers = [th.text.strip().lower() for th in driver.find_elements(By.CSS_SELECTOR, "main table")[0].find_elements(By.TAG_NAME, "th")]
            def row(queue):
                return dict(zip(headers, [td.text.strip() for td in driver.find_elements(By.CSS_SELECTOR, f"tr[data-queue='{queue}'] td")]))
            check(row("default-dlq").get("dead") == "1", f"overview: default-dlq's dead column shows {row('default-dlq')}")
            check(row("default").get("succeeded", "0") != "0", f"overview: default's succeeded column shows {row('default')}")
            check("cancelled" in row("default"), "overview: no cancelled column")
            mine = driver.find_elements(By.CSS_SELECTOR, "main table")[0].text
            check("steward.pipeline" not in mine, "overview: Steward's own queues are mixed with the user's")
            # "100.0 %" and times stay on one line.
            rates = driver.execute_script(
                "return [...document.querySelectorAll('td.num')].filter(td => { const r = document.createRange(); r.selectNodeContents(td); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1 }).map(td => td.textContent)")
            check(not rates, f"overview: wrapped numbers {rates}")
        if page in ("jobs", "dead", "pipelines", "workflows"):
            wrapped = driver.execute_script("return [...document.querySelectorAll('main .time')].filter(e => e.getClientRects().length > 1).map(e => e.textContent)")
            check(not wrapped, f"page {page}: wrapped times {wrapped}")
        # Nothing wider than the 1400 px window (a cut-off column is not seen).
        overflow = driver.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        check(not overflow, f"page {page}: wider than the window ({driver.execute_script('return document.documentElement.scrollWidth')} px)")
        if page == "workers":
            # Read in one script call: the page re-renders every 3 s, and elements found before a
            # re-render are stale after it.
            cells = driver.execute_script(
                "return [...document.querySelectorAll(`tr[data-worker='${arguments[0]}'] td`)].map(td => td.innerText.trim())", worker["id"])
            queues = ", ".join(f"{q['name']} ({q['concurrency']})" for q in worker["queues"])
            check(len(cells) == 8 and cells[2] == str(worker["pid"]) and cells[3] == queues and cells[5] == "online",
                  f"workers: the serve's worker row shows {cells}, expected pid {worker['pid']}, queues {queues!r}, online")
        # The header on every page: the counts /api/v1/activity gives, each linking to its list.
        counts = driver.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('#summary a')].map(a => [a.dataset.count, [a.querySelector('b').textContent, a.getAttribute('href')]]))")
        activity = api("GET", "/activity?minutes=1")
        # Steward's own checks keep running: what they process moves "processed today", not these.
        check(counts.get("processed today", ["0"])[0].isdigit() and int(counts["processed today"][0]) >= 2, f"page {page}: header 'processed today' shows {counts.get('processed today')}")
        for label, key in [("dead", "dead"), ("scheduled", "scheduled"), ("retrying", "retrying")]:
            check(label in counts and counts[label][0] == str(activity[key]), f"page {page}: header '{label}' shows {counts.get(label)}, the API {activity[key]}")
        check(counts.get("dead", ["", ""])[1] == "#/dead" and counts.get("scheduled", ["", ""])[1] == "#/jobs?state=scheduled",
              f"page {page}: header links {counts}")
        if page == "overview":
            chart = driver.find_element(By.CSS_SELECTOR, "svg[data-chart='throughput']")
            lines = driver.find_elements(By.CSS_SELECTOR, "svg[data-chart='throughput'] polyline")
            check(len(lines) == 2, f"overview: the throughput chart draws {len(lines)} lines, not succeeded and failed")
            labels = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "svg[data-chart='throughput'] text")]
            check(any(re.fullmatch(r"\d\d:\d\d", l) for l in labels), f"overview: the chart's time axis shows {labels}")
            check("(attempts per minute, UTC)" in text and "succeeded" in text, "overview: the chart's legend or unit is missing")
            webdriver.ActionChains(driver).move_to_element(chart).perform()
            hover = driver.find_element(By.CSS_SELECTOR, ".throughput .hover").text
            check(re.fullmatch(r"\d\d:\d\d UTC: \d+ succeeded, \d+ failed", hover) is not None, f"overview: hovering the chart shows {hover!r}")
        if page.startswith("job/"):
            check(shown.get("children") == "—" and shown.get("parents") == "—", f"job page: parents/children show {shown.get('parents')!r}/{shown.get('children')!r}")
            check('"type": "Failure"' in (shown.get("error") or ""), f"job page: the error is not formatted JSON: {shown.get('error')!r}")
            bars = driver.find_elements(By.CSS_SELECTOR, "svg[data-chart='attempts'] rect.dead")
            check(len(bars) == 1, f"job page: the attempt timeline shows {len(bars)} dead attempts, not 1")
            check(driver.find_elements(By.CSS_SELECTOR, "button.copy"), "job page: no copy button for the id")
        if page == "pipelines":
            check("PARENT" in text.upper() and "STATUS" in text.upper(), "pipelines: a column header is missing")
        names = {"job/": "job", "run/order-7": "code-run", "run/": "workflow-run"}
        name = next((v for k, v in names.items() if page.startswith(k)), page)
        driver.save_screenshot(os.path.join(shots, f"dashboard-{name}.png"))

    # A count in the header opens its filtered list; the search box opens a job by id.
    open_page("overview", admin)
    driver.find_element(By.CSS_SELECTOR, "#summary a[data-count='scheduled']").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"tr[data-job='{job['id']}']"))
    listed = driver.execute_script("return [...document.querySelectorAll('tr[data-job]')].map(tr => tr.dataset.job)")
    expected = [str(j["id"]) for j in api("GET", "/jobs?state=scheduled")]
    check(str(job["id"]) in listed and listed == expected, f"header 'scheduled' lists jobs {listed}, the API's scheduled jobs are {expected}")
    check(driver.execute_script("return document.querySelector(\"input[data-filter='state']\").value") == "scheduled", "the list's state filter is not 'scheduled'")
    box = driver.find_element(By.ID, "search-id")
    box.send_keys(str(dead["id"]))
    box.submit()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return location.hash") == f"#/job/{dead['id']}")
    WebDriverWait(driver, 10).until(lambda d: f"Job {dead['id']}" in d.find_element(By.ID, "main").text)
    check("steward.fail" in driver.find_element(By.ID, "main").text, "search: the job page does not show the job's name")

    # Live: the page holds the server's change stream open, and a job enqueued elsewhere shows up
    # through it (the poll, while the stream is open, is every 15 s).
    open_page("jobs", admin)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.body.dataset.stream") == "open")
    # The page's poll stopped for this part: only a change event can bring the new job.
    driver.execute_script("clearInterval(timer)")
    fresh = api("POST", "/jobs", {"name": "steward.sleep", "queue": "mail", "payload": {"seconds": 1}, "delay": "2h"})
    try:
        WebDriverWait(driver, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"tr[data-job='{fresh['id']}']"))
    except Exception:
        pass
    check(driver.find_elements(By.CSS_SELECTOR, f"tr[data-job='{fresh['id']}']"), f"live: job {fresh['id']} enqueued through the API did not appear within 5 s")
    check(driver.execute_script("return document.body.dataset.changedBy") == "event",
          f"live: the list was changed by {driver.execute_script('return document.body.dataset.changedBy')!r}, not a change event")
    driver.execute_script("poll(10000)")

    # An action: pause the mail queue from the overview.
    open_page("overview", admin)
    driver.find_element(By.CSS_SELECTOR, "tr[data-queue='mail'] button[data-action='pause']").click()
    for _ in range(50):
        if api("GET", "/queues/mail")["paused"]:
            break
        time.sleep(0.1)
    check(api("GET", "/queues/mail")["paused"], "clicking pause did not pause the queue")
    WebDriverWait(driver, 10).until(ready.presence_of_element_located((By.CSS_SELECTOR, "tr[data-queue='mail'] button[data-action='resume']")))

    # A read-only token sees the same pages without action buttons.
    driver.execute_script("sessionStorage.clear()")
    driver.get("about:blank")
    open_page("overview", read)
    check(driver.execute_script("return document.body.dataset.scope") == "read", "the read token was not used")
    check(not driver.find_elements(By.CSS_SELECTOR, "button.action"), "a read-only token sees action buttons")
    check("mail" in driver.find_element(By.ID, "main").text, "the read-only overview shows no queues")
    check(not console_errors(), "console errors with the read token")

    # The connection drops: the header says the page is paused, and live again once answers come back.
    check(driver.find_element(By.ID, "live").text.startswith("live"), f"header shows {driver.find_element(By.ID, 'live').text!r}, not live")
    driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    try:
        # The page polls every 10 s while its change stream is open (Chromium's offline mode
        # leaves an open stream hanging rather than failing it, as a real drop would).
        WebDriverWait(driver, 15).until(lambda d: "paused" in d.find_element(By.ID, "live").text)
    except Exception:
        pass
    shown = driver.find_element(By.ID, "live").text
    check(shown == "paused: no answer from the server; retrying", f"offline: the header shows {shown!r}")
    check("mail" in driver.find_element(By.ID, "main").text, "offline: the page dropped what it showed")
    driver.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    try:
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "live").text.startswith("live"))
    except Exception:
        pass
    check(driver.find_element(By.ID, "live").text.startswith("live"), "back online: the header still shows paused")
    try:
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.body.dataset.stream") == "open")
    except Exception:
        pass
    check(driver.execute_script("return document.body.dataset.stream") == "open", "back online: the change stream was not opened again")
finally:
    driver.quit()

if failures:
    sys.exit(f"dashboard check: {len(failures)} failure(s)")
print(f"dashboard check: {len(pages)} pages, the header, search, live change events, an action, a read-only view and a dropped connection passed; screenshots in {shots}")
