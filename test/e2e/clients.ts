/**
 * How the scenario talks to the running lab, as a person or a tool on this machine would: HTTP with
 * cookies (a browser's login), Python scripts in the lab runtime's own environment (boto3,
 * deltalake), and headless Chromium.
 */
import { spawnSync } from "child_process";
import * as http from "http";
import * as path from "path";
import { chromium } from "playwright-core";
import type { Installs } from "./installs";

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A browser's cookie jar over plain HTTP, without following redirects (the test reads them). Not
 * fetch: it always says `Sec-Fetch-Mode: cors`, whatever the caller sets, and JupyterHub sets its
 * _xsrf cookie only on a navigation. Without the cookie, a form's token matches only within the
 * second it was made (tornado signs a timestamp into it): the login that failed now and then.
 */
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
    // A page load or a form's submission is a navigation; a script's API call is not.
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
    const r = await send(url, init.method ?? (body ? "POST" : "GET"), headers, body);
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const value = pair.slice(i + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(c))
        this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), value);
    }
    return r;
  }
}

/** One HTTP request as given, headers and all; the reply's headers keep each Set-Cookie apart. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const replied = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          replied.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        }
        resolve({
          status: res.statusCode!,
          headers: replied,
          text: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", reject);
    });
    req.setTimeout(120000, () => req.destroy(new Error(`${method} ${url}: no answer in 120 s`)));
    req.on("error", reject);
    req.end(body);
  });
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
 * is on the page (the app renders over a websocket) and its Streamlit script has finished, saves a
 * screenshot and returns the page text.
 */
export async function renderPage(
  installs: Installs,
  url: string,
  text: string,
  screenshot: string,
  timeoutMs = 120000,
): Promise<string> {
  const browser = await launchChromium(installs);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(url);
    await page.getByText(text).first().waitFor({ timeout: timeoutMs });
    // Let the script finish before the picture: Streamlit marks its app root with the script's
    // state (data-test-script-state; 1.67 shows "Running..." only as an icon's aria-label, which a
    // wait for that text passed at once, catching the services' statuses half drawn).
    await page
      .locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
      .waitFor({ timeout: timeoutMs });
    await page.screenshot({ path: screenshot, fullPage: true });
    return await page.innerText("body");
  } finally {
    await browser.close();
  }
}

/** What {@link openJupyterLab} saw. */
export interface JupyterLabVisit {
  /** The release the page reports (its page config's appVersion). */
  readonly appVersion: string;
  /** What `code` printed, run in a new kernel over the page's own websocket. */
  readonly printed: string;
}

/**
 * JupyterLab as its user opens it: Chromium signs in on the hub's login form, follows the hub's
 * redirects (OAuth) to the user's running server, and waits until the file browser lists `entry`.
 * Saves a screenshot, then, from the page, starts a kernel and runs `code` in it over the kernel's
 * websocket, as a notebook does: the way every cell goes through the hub's proxy.
 */
export async function openJupyterLab(
  installs: Installs,
  hub: string,
  login: { user: string; password: string },
  entry: string,
  screenshot: string,
  code: string,
  timeoutMs = 120000,
): Promise<JupyterLabVisit> {
  const browser = await launchChromium(installs);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${hub}/hub/login`);
    await page.fill("#username_input", login.user);
    await page.fill("#password_input", login.password);
    await page.click("#login_submit");
    await page.waitForURL(/\/user\/[^/]+\/lab/, { timeout: timeoutMs });
    await page
      .locator(".jp-DirListing-itemText")
      .getByText(entry, { exact: true })
      .waitFor({ timeout: timeoutMs });
    await page.screenshot({ path: screenshot });
    const config = await page.locator("#jupyter-config-data").textContent();
    const printed = await page.evaluate(runInNewKernel, { code, timeoutMs });
    return { appVersion: JSON.parse(config ?? "{}").appVersion, printed };
  } finally {
    await browser.close();
  }
}

/**
 * Runs in the JupyterLab page: starts a kernel through the server's REST API (XSRF token from the
 * page's cookie, as JupyterLab sends it), runs `code` over the kernel's websocket (Jupyter's
 * messaging protocol, JSON frames) and returns what it printed; the kernel is shut down after.
 */
async function runInNewKernel({ code, timeoutMs }: { code: string; timeoutMs: number }) {
  // The page's globals, typed here without the DOM library (this runs in Chromium, not in Node).
  const { location, document } = globalThis as unknown as {
    location: { pathname: string; protocol: string; host: string };
    document: { cookie: string };
  };
  const server = location.pathname.replace(/\/lab(\/.*)?$/, "");
  const xsrf = /(?:^|;\s*)_xsrf=([^;]+)/.exec(document.cookie)?.[1];
  const headers = {
    "Content-Type": "application/json",
    ...(xsrf ? { "X-XSRFToken": decodeURIComponent(xsrf) } : {}),
  };
  const made = await fetch(`${server}/api/kernels`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "python3" }),
  });
  if (!made.ok) throw new Error(`starting a kernel: ${made.status} ${await made.text()}`);
  const kernel = (await made.json()) as { id: string };
  try {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(
      `${scheme}://${location.host}${server}/api/kernels/${kernel.id}/channels`,
    );
    return await new Promise<string>((resolve, reject) => {
      const msgId = `e2e-${Date.now()}`;
      let printed = "";
      let replied = false;
      let idle = false;
      const timer = setTimeout(() => reject(new Error(`no reply in ${timeoutMs} ms`)), timeoutMs);
      ws.onerror = () => reject(new Error("the kernel's websocket failed"));
      ws.onopen = () =>
        ws.send(
          JSON.stringify({
            header: {
              msg_id: msgId,
              msg_type: "execute_request",
              session: msgId,
              username: "",
              version: "5.3",
              date: new Date().toISOString(),
            },
            parent_header: {},
            metadata: {},
            content: {
              code,
              silent: false,
              store_history: false,
              user_expressions: {},
              allow_stdin: false,
              stop_on_error: true,
            },
            channel: "shell",
            buffers: [],
          }),
        );
      ws.onmessage = (event) => {
        const msg = JSON.parse(event.data as string);
        if (msg.parent_header?.msg_id !== msgId) return;
        const type = msg.header.msg_type;
        if (type === "stream") printed += msg.content.text;
        if (type === "error") reject(new Error(`${msg.content.ename}: ${msg.content.evalue}`));
        if (type === "execute_reply") replied = true;
        if (type === "status" && msg.content.execution_state === "idle") idle = true;
        if (replied && idle) {
          clearTimeout(timer);
          ws.close();
          resolve(printed);
        }
      };
    });
  } finally {
    await fetch(`${server}/api/kernels/${kernel.id}`, { method: "DELETE", headers });
  }
}

/** Debian's Chromium, headless, as root without the sandbox; no traffic to the internet. */
function launchChromium(installs: Installs) {
  return chromium.launch({
    executablePath: installs.chromium,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
