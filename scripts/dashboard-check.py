#!/usr/bin/env python3
"""The dashboard in a real headless Chromium (Selenium + Debian's chromium-driver), against a live
`steward serve`: every page loads without console errors and shows what the store holds, an admin
token can pause a queue from the overview, a read-only token sees no action buttons. Saves a
screenshot of each page to the folder given as the third argument.

    dashboard-check.py BASE_URL ADMIN_TOKEN:READ_TOKEN SCREENSHOT_DIR
"""
import json
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
# Pipelines: a catalog, one finished execution with rows, one still running.
urllib.request.urlopen(urllib.request.Request(
    base + "/api/v1/pipelines", method="POST", headers={"Authorization": "Bearer " + admin},
    data=b"pipelines:\n  load_orders: {max_duration: 10m, reads: [raw.orders], writes: [dw.orders], anomaly: {metrics: [duration]}}\ndatasets:\n  dw.orders: {max_age: 1h}\n  dw.customers: {max_age: 1h}\n"), timeout=10)
loaded = api("POST", "/pipelines/load_orders/executions", {})
api("POST", f"/pipeline-executions/{loaded['id']}/finish", {"inserted": 120, "metrics": {"rejected": 2}})
running = api("POST", "/pipelines/load_orders/executions", {})
for _ in range(100):
    if api("GET", f"/jobs/{dead['id']}")["state"] == "dead" and api("GET", f"/workflow-runs/{run['id']}")["state"] == "succeeded":
        break
    time.sleep(0.1)
else:
    sys.exit("the worker did not finish the seed jobs")

options = Options()
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1300,900", "--disable-dev-shm-usage"]:
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
        "overview": ["mail", "default"],
        "jobs": [str(job["id"]), str(dead["id"]), "steward.sleep"],
        "dead": [str(dead["id"]), "boom"],
        "schedules": ["Schedules"],
        "workflows": ["hello", run["id"]],
        f"run/{run['id']}": ["greet", "shout", "succeeded"],
        f"job/{dead['id']}": ["boom", "Attempts"],
        "monitors": ["Monitors"],
        "pipelines": ["load_orders", "dw.customers", "never", "120 / — / —", str(running["id"])],
    }
    for page, expected in pages.items():
        open_page(page, admin)
        text = driver.find_element(By.ID, "main").text
        for needle in expected:
            check(needle in text, f"page {page}: '{needle}' not shown")
        errors = console_errors()
        check(not errors, f"page {page}: console errors {errors}")
        if page.startswith("run/"):
            check(len(driver.find_elements(By.CSS_SELECTOR, "svg.dag g.node")) == 2, "the run's DAG does not show its two tasks")
            check(len(driver.find_elements(By.CSS_SELECTOR, "svg.dag line.edge")) == 1, "the run's DAG does not draw its edge")
        driver.save_screenshot(os.path.join(shots, page.replace("/", "-") + ".png"))

    # An action: pause the mail queue from the overview.
    open_page("overview", admin)
    driver.find_element(By.CSS_SELECTOR, "tr[data-queue='mail'] button[data-action='pause']").click()
    for _ in range(50):
        if api("GET", "/queues/mail")["paused"]:
            break
        time.sleep(0.1)
    check(api("GET", "/queues/mail")["paused"], "clicking pause did not pause the queue")
    WebDriverWait(driver, 10).until(ready.presence_of_element_located((By.CSS_SELECTOR, "tr[data-queue='mail'] button[data-action='resume']")))
    driver.save_screenshot(os.path.join(shots, "overview-paused.png"))

    # A read-only token sees the same pages without action buttons.
    driver.execute_script("sessionStorage.clear()")
    driver.get("about:blank")
    open_page("overview", read)
    check(driver.execute_script("return document.body.dataset.scope") == "read", "the read token was not used")
    check(not driver.find_elements(By.CSS_SELECTOR, "button.action"), "a read-only token sees action buttons")
    check("mail" in driver.find_element(By.ID, "main").text, "the read-only overview shows no queues")
    check(not console_errors(), "console errors with the read token")
finally:
    driver.quit()

if failures:
    sys.exit(f"dashboard check: {len(failures)} failure(s)")
print(f"dashboard check: {len(pages)} pages, an action and a read-only view passed; screenshots in {shots}")
