// The JSON API: every call carries the session's token (if any); a 401 asks for one.
const TOKEN_KEY = "authmap-token";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let pendingToken = null;

function askToken(problem) {
  // One prompt at a time: concurrent 401s wait for the same answer.
  if (pendingToken) return pendingToken;
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-error").textContent = problem || "";
  pendingToken = new Promise((resolve) => {
    const form = document.getElementById("token-form");
    form.onsubmit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      dialog.close();
      pendingToken = null;
      resolve(token);
    };
  });
  if (!dialog.open) dialog.showModal();
  input.focus();
  return pendingToken;
}

/** Call the API; answers {data, etag, headers}. Throws ApiError with the API's message. */
export async function call(method, path, { body, ifMatch, query } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, v);
    const text = params.toString();
    if (text) url += (url.includes("?") ? "&" : "?") + text;
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (ifMatch) headers["If-Match"] = ifMatch;
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (response.status === 401) {
      await askToken(data?.error);
      continue;
    }
    if (!response.ok) {
      throw new ApiError(response.status, data?.error || `${response.status} ${response.statusText}`);
    }
    return { data, etag: response.headers.get("ETag"), headers: response.headers };
  }
  throw new ApiError(401, "no valid token");
}

export const get = async (path, query) => (await call("GET", path, { query })).data;
export const post = async (path, body) => (await call("POST", path, { body })).data;
