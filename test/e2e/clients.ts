/**
 * How the scenario talks to the running lab, as a person or a tool on this machine would: HTTP with
 * cookies (a browser's login), Python scripts in the lab runtime's own environment (boto3,
 * deltalake), and headless Chromium.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { chromium } from "playwright-core";
import type { Installs } from "./installs";

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

/** A browser's cookie jar over fetch, without following redirects (the test reads them). */
export class Browser {
  private readonly cookies = new Map<string, string>();

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(
    url: string,
    init: {
      method?: string;
      form?: Record<string, string>;
      json?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> {
    // A page load or a form's submission is a navigation; Node's fetch says `cors` unless told.
    // JupyterHub sets its _xsrf cookie only on a navigation, and without the cookie the form's
    // token matches only within the second it was made (tornado signs a timestamp into it).
    const headers: Record<string, string> = {
      "sec-fetch-mode": init.json === undefined ? "navigate" : "cors",
      ...init.headers,
    };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    const r = await fetch(url, {
      method: init.method ?? (body ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const value = pair.slice(i + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(c))
        this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), value);
    }
    return { status: r.status, headers: r.headers, text: await r.text() };
  }
}

/** Runs Python in the lab runtime's environment; `args` arrive as sys.argv[1:]. */
export function labPython(
  installs: Installs,
  code: string,
  args: string[] = [],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(path.join(installs.venv, "bin", "python"), ["-c", code, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 300000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A page as a person sees it in Chromium (Debian's, driven by playwright-core): waits until `text`
 * is on the page (the app renders over a websocket), saves a screenshot and returns the page text.
 */
export async function renderPage(
  installs: Installs,
  url: string,
  text: string,
  screenshot: string,
  timeoutMs = 120000,
): Promise<string> {
  const browser = await chromium.launch({
    executablePath: installs.chromium,
    // As root, without the sandbox; no background traffic to the (unreachable) internet.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(url);
    await page.getByText(text).first().waitFor({ timeout: timeoutMs });
    // Streamlit shows "Running..." until the script is done; let it finish before the picture.
    await page.getByText("Running...").waitFor({ state: "hidden", timeout: timeoutMs });
    await page.screenshot({ path: screenshot, fullPage: true });
    return await page.innerText("body");
  } finally {
    await browser.close();
  }
}
