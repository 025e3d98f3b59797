/**
 * Small, realistic changes to the security-relevant code, each of which some test must notice
 * (docs/security.md, "How the security tests are kept honest"). `from` must occur exactly once in
 * `file`; `tests` are the files that claim to cover the code, and at least one must fail with `to`
 * in place. When the code moves on, update `from` here (`--verify` names the stale ones).
 */
export interface Mutation {
  id: string;
  /** What the change would let through, in a few words. */
  what: string;
  file: string;
  from: string;
  to: string;
  tests: string[];
}

const SHELL = ['test/unit/electron/browser-shell/guard.test.ts', 'test/unit/electron/browser-shell/server.test.ts'];
const GUARD = 'electron/browser-shell/guard.ts';
const SHELL_SERVER = 'electron/browser-shell/server.ts';
const HOST_CHECK = 'return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;';

const SERVER_API = 'test/integration/sync/server-api.test.ts';
const ACCESS_UNIT = 'test/unit/server/auth/access.test.ts';
const ROUTES_UNIT = 'test/unit/server/sync/sync-service.test.ts';
const FIELD_WRITES_UNIT = 'test/unit/server/sync/field-writes.test.ts';
const VALIDATE_UNIT = 'test/unit/server/sync/validate-push.test.ts';
const DOCUMENTS = 'test/integration/blobs/documents.test.ts';

const PBX = ['test/integration/pbx/pbx-connection.test.ts', 'test/integration/pbx/identity-binding.test.ts'];
const RENDER_UNIT = 'test/unit/pbx/render.identity.test.ts';
const KAMAILIO_CFG = 'pbx/kamailio.cfg.template';
const TLS_CFG = 'pbx/tls.cfg.template';
const WSS_PROFILE = '[server:{{BIND_IP}}:{{WSS_PORT}}]\nmethod = TLSv1.2+\nverify_certificate = yes\nrequire_certificate = yes';

const UPDATES = ['test/unit/electron/main/update-policy.test.ts'];
const IDENTITY = [
  'test/unit/electron/core/identity/identity-service.test.ts',
  'test/unit/electron/core/identity/install-policy.test.ts',
  'test/unit/electron/core/identity/open-bundle.test.ts',
];

export const MUTATIONS: Mutation[] = [
  // The browser shell: loopback peer, Host, token, Origin.
  {
    id: 'shell-host-prefix',
    what: 'a Host that merely starts with 127.0.0.1 (DNS rebinding)',
    file: GUARD,
    from: HOST_CHECK,
    to: 'return host.startsWith("127.0.0.1") || host === `localhost:${port}` || host === `[::1]:${port}`;',
    tests: SHELL,
  },
  {
    id: 'shell-host-any-port',
    what: 'loopback names on any port',
    file: GUARD,
    from: HOST_CHECK,
    to: 'return ["127.0.0.1", "localhost", "[::1]"].includes(host.replace(/:\\d+$/, ""));',
    tests: SHELL,
  },
  {
    id: 'shell-host-port-only',
    what: 'any name on our port',
    file: GUARD,
    from: HOST_CHECK,
    to: 'return host.endsWith(`:${port}`);',
    tests: SHELL,
  },
  {
    id: 'shell-host-substring',
    what: 'a Host that contains the listener',
    file: GUARD,
    from: HOST_CHECK,
    to: 'return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].some((h) => host.includes(h));',
    tests: SHELL,
  },
  {
    id: 'shell-loopback-prefix',
    what: 'a peer address that starts with 127.',
    file: GUARD,
    from: "return v4 === '::1' || /^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$/.test(v4);",
    to: "return v4 === '::1' || v4.startsWith('127.');",
    tests: SHELL,
  },
  {
    id: 'shell-token-prefix',
    what: 'a prefix of the token (or an empty one)',
    file: GUARD,
    from: 'return a.length === b.length && timingSafeEqual(a, b);',
    to: 'return expected.startsWith(presented);',
    tests: SHELL,
  },
  {
    id: 'shell-socket-origin',
    what: 'WebSocket upgrades from a foreign Origin',
    file: SHELL_SERVER,
    from: "if (!verdict.ok || url.pathname !== '/api/events' || !sameOrigin(req)) {",
    to: "if (!verdict.ok || url.pathname !== '/api/events') {",
    tests: SHELL,
  },
  {
    id: 'shell-socket-path',
    what: 'WebSocket upgrades on any path',
    file: SHELL_SERVER,
    from: "if (!verdict.ok || url.pathname !== '/api/events' || !sameOrigin(req)) {",
    to: 'if (!verdict.ok || !sameOrigin(req)) {',
    tests: SHELL,
  },
  {
    id: 'shell-invoke-origin',
    what: 'API calls from a foreign Origin',
    file: SHELL_SERVER,
    from: "if (!sameOrigin(req)) return send(res, 403, 'text/plain', 'cross-origin request refused');",
    to: '',
    tests: SHELL,
  },
  {
    id: 'shell-opaque-origin',
    what: 'an unparsable Origin ("null")',
    file: SHELL_SERVER,
    from: '    } catch {\n      return false;\n    }\n  }\n\n  const sockets',
    to: '    } catch {\n      return true;\n    }\n  }\n\n  const sockets',
    tests: SHELL,
  },
  {
    id: 'shell-cookie-lax',
    what: 'the token cookie sent on cross-site navigation',
    file: SHELL_SERVER,
    from: 'HttpOnly; SameSite=Strict; Path=/',
    to: 'HttpOnly; SameSite=Lax; Path=/',
    tests: SHELL,
  },

  // The sync server: who may serve a tenant, and what a push may contain.
  {
    id: 'access-any-tenant',
    what: 'any user with a tenant serves every tenant',
    file: 'server/home/directory.ts',
    from: 'if (user.tenants.includes(tenant)) return true;',
    to: 'if (user.tenants.length > 0) return true;',
    tests: [ACCESS_UNIT, ROUTES_UNIT, SERVER_API],
  },
  {
    id: 'access-tenant-prefix',
    what: 'tenants matched by prefix',
    file: 'server/home/directory.ts',
    from: 'if (user.tenants.includes(tenant)) return true;',
    to: 'if (user.tenants.some((t) => t.startsWith(tenant))) return true;',
    tests: [ACCESS_UNIT],
  },
  {
    id: 'access-every-role-everywhere',
    what: 'a teleworker or craftsman serves every firm like the office lead',
    file: 'server/home/directory.ts',
    from: "return user.role === 'lead' && directory.tenants.some((t) => t.id === tenant);",
    to: 'return directory.tenants.some((t) => t.id === tenant);',
    tests: [ACCESS_UNIT],
  },

  {
    id: 'access-push-own-rule',
    what: 'push decides from the directory, not AccessControl',
    file: 'server/sync/sync-service.ts',
    from: '(tenant) => this.access.mayServe(caller.user, tenant),\n      this.now(),',
    to: '(tenant) => caller.user.tenants.includes(tenant),\n      this.now(),',
    tests: [ROUTES_UNIT],
  },
  {
    id: 'access-pull-own-rule',
    what: 'pull decides from the directory, not AccessControl',
    file: 'server/sync/sync-service.ts',
    from: 'JSON.stringify(this.access.tenantsServed(caller.user))',
    to: 'JSON.stringify(caller.user.tenants)',
    tests: [ROUTES_UNIT],
  },
  {
    id: 'access-live-own-rule',
    what: 'the live socket decides from the directory, not mayServe',
    file: 'server/auth/access.ts',
    from: 'const tenants = this.tenantsServed(user);',
    to: 'const tenants = user.tenants;',
    tests: [ROUTES_UNIT],
  },
  {
    id: 'access-me-own-rule',
    what: '/directory/me decides from the directory, not AccessControl',
    file: 'server/sync/sync-service.ts',
    from: 'const served = (u: DirectoryUserEntry) => this.access.tenantsServed(u);',
    to: 'const served = (u: DirectoryUserEntry) => u.tenants;',
    tests: [ROUTES_UNIT],
  },
  {
    id: 'live-nudge-everyone',
    what: 'live nudges about tenants the user does not serve',
    file: 'server/sync/live-hub.ts',
    from: 'if (tenants.length === 1) return [...(this.byTenant.get(tenants[0]!) ?? [])];',
    to: 'if (tenants.length === 1) return [...this.clients];',
    tests: ['test/unit/server/sync/live-hub.test.ts'],
  },
  {
    id: 'live-keeps-departed',
    what: 'the live socket of a user removed from the directory',
    file: 'server/sync/live-hub.ts',
    from: "      if (!this.tenantsOf(client.userId)) {\n        this.drop(client, 'no longer in the directory');\n        continue;\n      }",
    to: '      if (!this.tenantsOf(client.userId)) continue;',
    tests: ['test/unit/server/sync/live-hub.test.ts'],
  },
  {
    id: 'access-revoked-ignored',
    what: 'a certificate the directory marks revoked',
    file: 'server/auth/access.ts',
    from: '    if (this.revoked.has(serial)) {',
    to: '    if (this.revoked.has(cn)) {',
    tests: [ACCESS_UNIT, SERVER_API],
  },
  {
    id: 'access-serial-zeros',
    what: 'a revoked serial spelt with leading zeros',
    file: 'server/auth/access.ts',
    from: "    .toLowerCase()\n    .replace(/^0+(?=.)/, '');",
    to: '    .toLowerCase();',
    tests: [ACCESS_UNIT],
  },
  {
    id: 'server-tls-optional',
    what: 'a TLS handshake without a client certificate on the sync port',
    file: 'server/http/app.ts',
    from: 'requestCert: true, rejectUnauthorized: true,',
    to: 'requestCert: true, rejectUnauthorized: false,',
    tests: ['test/integration/calendar/feed.test.ts'],
  },
  {
    id: 'push-foreign-tenant',
    what: 'writes to a tenant the caller does not serve',
    file: 'server/sync/validate-push.ts',
    from: 'if (!mayServe(tenant)) {',
    to: 'if (!mayServe(tenant) && table === "appointment") {',
    tests: [VALIDATE_UNIT, SERVER_API],
  },
  {
    id: 'push-server-owned',
    what: 'clients writing the server-owned tenant table',
    file: 'server/sync/validate-push.ts',
    from: 'if (SERVER_OWNED_TABLES.includes(change.table)) {',
    to: 'if (SERVER_OWNED_TABLES.includes(change.table) && change.field === "_deleted") {',
    tests: [SERVER_API],
  },
  {
    id: 'push-clock-bound',
    what: 'versions up to twice the bound ahead',
    file: 'server/sync/validate-push.ts',
    from: 'if (ahead > MAX_CLOCK_SKEW_MS) {',
    to: 'if (ahead > 2 * MAX_CLOCK_SKEW_MS) {',
    tests: [VALIDATE_UNIT, SERVER_API],
  },
  {
    id: 'push-value-size',
    what: 'values over the size limit',
    file: 'server/sync/validate-push.ts',
    from: 'if (bytes > MAX_VALUE_BYTES) {',
    to: 'if (bytes > 2 * MAX_VALUE_BYTES) {',
    tests: [VALIDATE_UNIT, SERVER_API],
  },
  {
    id: 'push-record-two-tenants',
    what: 'one record under two tenants in one push',
    file: 'server/sync/validate-push.ts',
    from: 'if (owner !== undefined && owner !== tenant) {',
    to: 'if (owner !== undefined && owner !== tenant && table === "appointment") {',
    tests: [VALIDATE_UNIT, SERVER_API],
  },
  {
    id: 'write-record-moves',
    what: 'a stored record moved to another tenant',
    file: 'server/sync/field-writes.ts',
    from: 'WHERE r.tenant <> i.tenant LIMIT 1',
    to: 'WHERE r.tenant <> i.tenant AND false LIMIT 1',
    tests: [SERVER_API],
  },
  {
    id: 'write-older-wins',
    what: 'an older version overwriting a newer one',
    file: 'server/sync/field-writes.ts',
    from: '      WHERE f.version < excluded.version`',
    to: '      WHERE f.version <> excluded.version`',
    tests: [FIELD_WRITES_UNIT, SERVER_API],
  },
  {
    id: 'write-batch-oldest',
    what: 'the oldest of several versions in one batch kept',
    file: 'server/sync/field-writes.ts',
    from: 'ORDER BY tbl, id, field, version COLLATE "C" DESC',
    to: 'ORDER BY tbl, id, field, version COLLATE "C" ASC',
    tests: [FIELD_WRITES_UNIT],
  },
  {
    id: 'write-batch-order',
    what: 'sequence numbers not in the order given',
    file: 'server/sync/field-writes.ts',
    from: "nextval('change_seq'), $2 FROM newest ORDER BY ord",
    to: "nextval('change_seq'), $2 FROM newest",
    tests: [FIELD_WRITES_UNIT],
  },

  // The reference PBX: the certificate's CN is the only SIP identity its connection may use.
  {
    id: 'pbx-register-other-aor',
    what: 'REGISTER of another AoR under one’s own From',
    file: KAMAILIO_CFG,
    from: 'if ($fU != $var(cn) || (is_method("REGISTER") && $tU != $var(cn))) {',
    to: 'if ($fU != $var(cn)) {',
    tests: PBX,
  },
  {
    id: 'pbx-refer-unchecked',
    what: 'REFER in another user’s name',
    file: KAMAILIO_CFG,
    from: 'if (!is_method("REGISTER|INVITE|SUBSCRIBE|PUBLISH|MESSAGE|REFER")) return;',
    to: 'if (!is_method("REGISTER|INVITE|SUBSCRIBE|PUBLISH|MESSAGE")) return;',
    tests: PBX,
  },
  {
    id: 'pbx-invite-unchecked',
    what: 'INVITE in another user’s name',
    file: KAMAILIO_CFG,
    from: 'if (!is_method("REGISTER|INVITE|SUBSCRIBE|PUBLISH|MESSAGE|REFER")) return;',
    to: 'if (!is_method("REGISTER|SUBSCRIBE|PUBLISH|MESSAGE|REFER")) return;',
    tests: PBX,
  },
  {
    id: 'pbx-identity-from-via',
    what: 'the identity taken from the request instead of the certificate',
    file: KAMAILIO_CFG,
    from: '\t$var(cn) = $sht(wsid=>$si:$sp);\n\tif ($var(cn) == $null',
    to: '\t$var(cn) = $fU;\n\tif ($var(cn) == $null',
    tests: PBX,
  },
  {
    id: 'pbx-wss-no-client-cert',
    what: 'WSS without a client certificate',
    file: TLS_CFG,
    from: WSS_PROFILE,
    to: WSS_PROFILE.replace('require_certificate = yes', 'require_certificate = no'),
    tests: PBX,
  },
  {
    // `verify_certificate = no` alone changes nothing: Kamailio 5.6 still verifies while
    // require_certificate is on (a foreign CA still gets the unknown-CA alert).
    id: 'pbx-wss-unverified',
    what: 'WSS client certificates of any CA',
    file: TLS_CFG,
    from: WSS_PROFILE,
    to: WSS_PROFILE.replace('verify_certificate = yes', 'verify_certificate = no').replace(
      'require_certificate = yes',
      'require_certificate = no',
    ),
    tests: PBX,
  },
  {
    id: 'pbx-wss-no-crl',
    what: 'revoked client certificates',
    file: TLS_CFG,
    from: 'ca_list = {{CA_CERT}}\ncrl = {{CRL}}\n\n[server:default]',
    to: 'ca_list = {{CA_CERT}}\n\n[server:default]',
    tests: PBX,
  },

  {
    id: 'pbx-wss-old-tls',
    what: 'WSS over TLS older than 1.2',
    file: TLS_CFG,
    from: WSS_PROFILE,
    to: WSS_PROFILE.replace('method = TLSv1.2+', 'method = SSLv23'),
    tests: [RENDER_UNIT],
  },
  {
    id: 'pbx-render-ca-list',
    what: 'client certificates checked against the wrong certificate list',
    file: 'pbx/render.ts',
    from: '    CA_CERT: layout.caCert,',
    to: '    CA_CERT: layout.serverCert,',
    tests: [RENDER_UNIT],
  },
  {
    id: 'pbx-render-domain-unchecked',
    what: 'a SIP domain that breaks out of the config’s string literals',
    file: 'pbx/render.ts',
    from: "const sipDomain = safeToken(options.sipDomain, 'SIP domain');",
    to: 'const sipDomain = options.sipDomain;',
    tests: [RENDER_UNIT],
  },

  // Updates: never a downgrade, nothing untrusted installed, never during a call.
  {
    id: 'update-downgrade',
    what: 'downgrades to an older build',
    file: 'electron/main/update-policy.ts',
    from: 'this.updater.allowDowngrade = false;',
    to: "this.updater.allowDowngrade = channel === 'beta';",
    tests: UPDATES,
  },
  {
    id: 'update-checksum-kept',
    what: 'a download with a wrong checksum installed on quit',
    file: 'electron/main/update-policy.ts',
    from: "if (code === 'signature_invalid' || code === 'checksum_mismatch') {",
    to: "if (code === 'signature_invalid') {",
    tests: UPDATES,
  },
  {
    id: 'update-signature-as-network',
    what: 'a bad signature taken for a feed problem (download kept)',
    file: 'electron/main/update-policy.ts',
    from: "  if (code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed by the application owner/i.test(message)) {\n    return 'signature_invalid';\n  }\n",
    to: "  if (/certificate/i.test(message)) return 'feed_unreachable';\n  if (code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed by the application owner/i.test(message)) {\n    return 'signature_invalid';\n  }\n",
    tests: UPDATES,
  },
  {
    id: 'update-quit-disarmed-by-call',
    what: 'a call disarms the install on quit (electron-updater reads the flag once, at download)',
    file: 'electron/main/update-policy.ts',
    from: '    this.callActive = active;\n',
    to: '    this.callActive = active;\n    this.updater.autoInstallOnAppQuit = !active;\n',
    tests: UPDATES,
  },
  {
    id: 'update-deferred-forgotten',
    what: 'an update deferred by a call is never installed when the call ends',
    file: 'electron/main/update-policy.ts',
    from: "if (!active && this.state.state === 'install-deferred') {",
    to: 'if (false) {',
    tests: UPDATES,
  },
  {
    id: 'update-install-during-call',
    what: '"install now" during a call',
    file: 'electron/main/update-policy.ts',
    from: "if (this.callActive) {\n      this.set({ ...this.state, state: 'install-deferred' });",
    to: "if (this.callActive && false) {\n      this.set({ ...this.state, state: 'install-deferred' });",
    tests: UPDATES,
  },

  // The identity import: nothing of a bundle is trusted before its signature, its CA and its CN.
  {
    id: 'identity-signature-ignored',
    what: 'a bundle whose signature does not match',
    file: 'electron/core/identity/open-bundle.ts',
    from: "if (!signed) fail('bundle_tampered', 'the bundle signature does not match its content');",
    to: '',
    tests: IDENTITY,
  },
  {
    id: 'identity-pin-ignored',
    what: 'a bundle from a CA the installation does not pin',
    file: 'electron/core/identity/open-bundle.ts',
    from: 'if (pinnedCaSha256.length > 0 && !pinnedCaSha256.includes(caSha256)) {',
    to: 'if (pinnedCaSha256.length > 1 && !pinnedCaSha256.includes(caSha256)) {',
    tests: IDENTITY,
  },
  {
    id: 'identity-policy-fails-open',
    what: 'every CA when the policy file is broken',
    file: 'electron/core/identity/install-policy.ts',
    from: '    return [REFUSE_ALL];',
    to: '    return [];',
    tests: IDENTITY,
  },
  {
    id: 'identity-foreign-leaf',
    what: 'a certificate that names our CA as issuer but was signed by another key',
    file: 'electron/core/identity/open-bundle.ts',
    from: 'if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {',
    to: 'if (!leaf.checkIssued(ca) && !leaf.verify(ca.publicKey)) {',
    tests: IDENTITY,
  },
  {
    id: 'identity-cn-mismatch',
    what: 'a certificate for another user than the bundle names',
    file: 'electron/core/identity/open-bundle.ts',
    from: "if (cn !== payload.user) fail('certificate_untrusted'",
    to: "if (cn === undefined) fail('certificate_untrusted'",
    tests: IDENTITY,
  },
  {
    id: 'identity-eku-ignored',
    what: 'a server certificate of our CA used as a client identity',
    file: 'electron/core/identity/open-bundle.ts',
    from: 'if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes(CLIENT_AUTH)) {',
    to: 'if (leaf.keyUsage === undefined) {',
    tests: IDENTITY,
  },
  {
    id: 'identity-not-yet-valid',
    what: 'a certificate not valid yet',
    file: 'electron/core/identity/open-bundle.ts',
    from: 'if (new Date(leaf.validFrom).getTime() > now.getTime() + CLOCK_SKEW_MS) {',
    to: 'if (new Date(leaf.validFrom).getTime() > now.getTime() + 1000 * CLOCK_SKEW_MS) {',
    tests: IDENTITY,
  },
  {
    id: 'identity-expired',
    what: 'an expired certificate',
    file: 'electron/core/identity/open-bundle.ts',
    from: 'if (notAfter.getTime() <= now.getTime()) fail(',
    to: 'if (notAfter.getTime() + 86_400_000 <= now.getTime()) fail(',
    tests: IDENTITY,
  },
  // The monthly report: the lead any firm, a craftsman his own, a teleworker none.
  {
    id: 'report-teleworker',
    what: "a teleworker reading a firm's monthly report",
    file: 'server/billing/report-routes.ts',
    from: "if (user.role === 'teleworker') {",
    to: "if (user.role === 'teleworker' && tenant === '') {",
    tests: ['test/integration/billing/report-http.test.ts'],
  },
  {
    id: 'report-other-firm',
    what: "a craftsman reading another firm's monthly report",
    file: 'server/billing/report-routes.ts',
    from: "if (user.role === 'craftsman' && !user.tenants.includes(tenant)) {",
    to: "if (user.role === 'craftsman' && user.tenants.length === 0) {",
    tests: ['test/integration/billing/report-http.test.ts'],
  },
  // Documents' bytes: read per firm, upload per firm, typed by content, visible only once verified.
  {
    id: 'blob-read-any-firm',
    what: 'a hash readable when any firm references it',
    file: 'server/blobs/blob-access.ts',
    from: 'AND f.tenant IN (SELECT jsonb_array_elements_text(${tenantsParam}::jsonb))',
    to: 'AND (f.tenant IN (SELECT jsonb_array_elements_text(${tenantsParam}::jsonb)) OR true)',
    tests: [DOCUMENTS],
  },
  {
    id: 'blob-read-tombstoned',
    what: 'bytes still served (and never collected) after their record was deleted',
    file: 'server/blobs/blob-access.ts',
    from: "d.field = '_deleted' AND d.value = 'true'::jsonb",
    to: "d.field = '_deleted' AND d.value = 'false'::jsonb",
    tests: [DOCUMENTS],
  },
  {
    id: 'blob-upload-any-firm',
    what: 'uploads for a firm the caller does not serve',
    file: 'server/blobs/blob-routes.ts',
    from: 'if (!deps.access.mayServe(caller.user, tenant)) {',
    to: 'if (false) {',
    tests: [DOCUMENTS],
  },
  {
    id: 'blob-type-by-name',
    what: 'any content stored as a document',
    file: 'server/blobs/blob-store.ts',
    from: 'mime = sniffBlobType(data);',
    to: "mime = sniffBlobType(data) ?? 'application/pdf';",
    tests: [DOCUMENTS],
  },
  {
    id: 'blob-hash-unchecked',
    what: 'bytes that do not hash to their name served under it',
    file: 'server/blobs/blob-store.ts',
    from: 'if (digest !== sha256 || total !== size || !upload.mime) {',
    to: 'if (total !== size || !upload.mime) {',
    tests: [DOCUMENTS],
  },
];
