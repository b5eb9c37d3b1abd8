// The TypeScript side of `make client` (loadtest/scenarios/generated_client.py): types generated from
// the live schema by openapi-typescript into schema.d.ts beside this file, then
// `tsc --noEmit --strict`. Written as a user would with fetch: anonymous calls for login and the
// public catalog, the bearer token for the rest, page_size a number, Idempotent-Replayed a header.
import type { components, paths } from "./schema";

type LoginBody = paths["/api/v1/auth/login/"]["post"]["requestBody"]["content"]["application/json"];
type TokenPair = components["schemas"]["TokenPair"];
type ProductQuery = NonNullable<paths["/api/v1/products/"]["get"]["parameters"]["query"]>;
type ProductPage = paths["/api/v1/products/"]["get"]["responses"][200]["content"]["application/json"];
type MessageBody = components["schemas"]["MessageRequest"];
type Message = paths["/api/v1/messages/"]["post"]["responses"][201]["content"]["application/json"];
type CreateHeaders = NonNullable<paths["/api/v1/messages/"]["post"]["parameters"]["header"]>;

async function json<T>(response: Response, status: number): Promise<T> {
  if (response.status !== status) throw new Error(`${response.url} answered ${response.status}`);
  return (await response.json()) as T;
}

export async function flow(base: string, username: string, password: string, account: string): Promise<string> {
  const login: LoginBody = { username, password };
  const tokens = await json<TokenPair>(
    await fetch(`${base}/api/v1/auth/login/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(login),
    }),
    200,
  );
  const query: ProductQuery = { ordering: "name", page_size: 10 };
  const search = new URLSearchParams({ ordering: query.ordering ?? "", page_size: String(query.page_size) });
  const page = await json<ProductPage>(await fetch(`${base}/api/v1/products/?${search}`), 200);
  const names: string[] = page.results.map((product) => product.name);

  const body: MessageBody = { account, sender_number: "+14155550123", receiver_number: "+442079460958", body: "Hi" };
  const headers: CreateHeaders = { "Idempotency-Key": crypto.randomUUID() };
  const send = () =>
    fetch(`${base}/api/v1/messages/`, {
      method: "POST",
      headers: { ...headers, Authorization: `Bearer ${tokens.access}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const first = await json<Message>(await send(), 201);
  const retried = await send();
  const replayed: string | null = retried.headers.get("Idempotent-Replayed");
  return `${names.length} products; message ${first.id}; replayed: ${replayed}`;
}
