#!/usr/bin/python
# -*- coding: utf-8 -*-
# Runs one claw-mesh command with --json and turns its document into an Ansible result: `changed` is what
# claw-mesh says changed, a failure carries claw-mesh's own message and hint, exit 4 (a peer did not answer)
# is a warning unless peer_down=fail. Secrets never reach argv: claw-mesh reads them from file: paths, or from its
# environment (CLAW_MESH_TAILSCALE_KEY, CLAW_MESH_SECRET, CLAW_MESH_ALERT), which only its own user and root see.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: claw_mesh
short_description: Run claw-mesh bootstrap, peer discover or leave and report what changed
description:
  - Runs C(claw-mesh bootstrap --json) (C(--dry-run) in check mode), C(claw-mesh peer discover --json) or
    C(claw-mesh leave --yes --json) and reports claw-mesh's own C(changed), error message and hint.
  - C(join) runs C(claw-mesh tailscale join) (as root, before bootstrap runs as the service user) and makes
    C(operator) the operator of this machine's tailscaled.
  - The Tailscale key, the mesh secret and the alert target go to claw-mesh as C(file:PATH) or in its environment:
    their values never reach argv.
options:
  command: {description: What to run., type: str, required: true, choices: [join, bootstrap, discover, leave]}
  tailscale_key: {description: The Tailscale auth key or OAuth client secret itself (from Ansible Vault)., type: str}
  mesh_secret: {description: "The fleet's mesh secret itself (from Ansible Vault).", type: str}
  operator: {description: With join, the user that may manage tailscaled afterwards (the service user)., type: str}
  bin: {description: The claw-mesh executable., type: path, required: true}
  path_prefix: {description: Directories put first on PATH for claw-mesh (its Node runtime)., type: str, default: ''}
  identity: {description: This agent's name in the mesh (a DNS label)., type: str}
  tailscale_key_file: {description: File on the host holding the Tailscale auth key or OAuth client secret., type: path}
  mesh_secret_file: {description: File on the host holding the fleet's mesh secret (fleet mode)., type: path}
  tags: {description: Tailscale tags to advertise., type: list, elements: str, default: []}
  login_server: {description: Control server URL (Headscale); passed only when set., type: str}
  expose: {description: How peers reach the gateway., type: str, choices: ['', tailnet, serve, lan], default: ''}
  port: {description: Gateway port; 0 keeps what openclaw.json has., type: int, default: 0}
  alert: {description: Watchdog alert target., type: str}
  secret_store: {description: Where tokens live., type: str, choices: ['', auto, keychain, file], default: ''}
  mesh_tag: {description: Tailnet tag that marks mesh members., type: str, default: 'tag:claw-mesh'}
  install: {description: Let bootstrap install Tailscale and OpenClaw when missing., type: bool, default: true}
  peer_down: {description: What exit 4 (a peer did not answer) is., type: str, choices: [warn, fail], default: warn}
  purge: {description: With leave, also remove peer records and claw-mesh's secrets., type: bool, default: false}
author: claw-mesh
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule

PARTIAL = 4
TAIL = 20


def secret_file(module, name, value):
    """A clear error naming the role variable, before claw-mesh runs: the file must exist and be private."""
    if not value:
        return []
    if not os.path.isfile(value):
        module.fail_json(msg='claw_mesh_%s: %s is not a file on this host.' % (name, value),
                         hint='Put the secret in a file on the host (mode 0600) and set claw_mesh_%s to its path.' % name)
    if os.stat(value).st_mode & 0o077:
        module.warn('claw_mesh_%s: %s can be read by other users; chmod 600 it.' % (name, value))
    return ['--%s' % name.replace('_file', '').replace('_', '-'), 'file:' + value]


def secret_env(p, with_key=True):
    """Secret values for claw-mesh's environment (it takes them out of its process environment at start)."""
    env = {}
    for name, var in (('tailscale_key', 'CLAW_MESH_TAILSCALE_KEY'), ('mesh_secret', 'CLAW_MESH_SECRET'), ('alert', 'CLAW_MESH_ALERT')):
        if p.get(name) and (with_key or name != 'tailscale_key'):
            env[var] = p[name]
    return env


def tailnet_argv(module, p):
    argv = secret_file(module, 'tailscale_key_file', p['tailscale_key_file'])
    if p['tags']:
        argv += ['--tags', ','.join(p['tags'])]
    # --login-server is newer than some claw-mesh versions: only passed when asked for.
    if p['login_server']:
        argv += ['--login-server', p['login_server']]
    return argv


def bootstrap_argv(module, p, joined):
    argv = [p['bin'], 'bootstrap', '--identity', p['identity'], '--json', '--yes', '--install' if p['install'] else '--no-install']
    # After a join as root, bootstrap (as the service user) needs no key: the node is already on the tailnet.
    if not joined:
        argv += tailnet_argv(module, p)
    argv += secret_file(module, 'mesh_secret_file', p['mesh_secret_file'])
    if p['mesh_secret_file'] or p['mesh_secret']:
        argv += ['--mesh-tag', p['mesh_tag']]
    for flag in ('expose', 'secret_store'):
        if p[flag]:
            argv += ['--' + flag.replace('_', '-'), p[flag]]
    if p['port']:
        argv += ['--port', str(p['port'])]
    if module.check_mode:
        argv.append('--dry-run')
    return argv


def run(module, argv, env=None):
    rc, out, err = module.run_command(argv, path_prefix=module.params['path_prefix'] or None, environ_update=env or {})
    try:
        doc = json.loads(out)
    except ValueError:
        module.fail_json(msg='claw-mesh %s printed no JSON document (exit %d).' % (argv[1], rc), exit_code=rc, stderr_lines=err.splitlines()[-TAIL:])
    if not isinstance(doc, dict):
        module.fail_json(msg='claw-mesh %s printed JSON that is not an object (exit %d).' % (argv[1], rc), exit_code=rc)
    if doc.get('ok') is False:
        e = doc.get('error') or {}
        msg = e.get('message') or 'claw-mesh %s failed (exit %d)' % (argv[1], rc)
        if e.get('hint'):
            msg = '%s Hint: %s' % (msg, e['hint'])
        module.fail_json(msg=msg, exit_code=rc, error=e, stderr_lines=err.splitlines()[-TAIL:])
    return rc, doc


def bootstrap(module):
    p = module.params
    if not p['identity']:
        module.fail_json(msg='claw_mesh_identity is empty.', hint='Set claw_mesh_identity (default: the inventory hostname).')
    if module.check_mode and not os.path.exists(p['bin']):
        # Check mode never installs, so there is nothing to ask: everything would be done from scratch.
        module.exit_json(changed=True, msg='claw-mesh is not installed yet (%s): bootstrap would provision this host from scratch.' % p['bin'])
    joined = bool(p['operator'])
    rc, doc = run(module, bootstrap_argv(module, p, joined), secret_env(p, with_key=not joined))
    for w in doc.get('warnings') or []:
        module.warn(str(w))
    down = [peer for peer in doc.get('peers') or [] if peer.get('status') != 'ok']
    # Not 'rc': Ansible fails any result whose rc is non-zero, and exit 4 may be only a warning.
    result = dict(changed=bool(doc.get('changed')), exit_code=rc, bootstrap=doc)
    if module.check_mode:
        todo = [s.get('title') for s in doc.get('steps') or [] if s.get('action') == 'run']
        result['msg'] = ('would: ' + '; '.join(todo)) if todo else 'nothing to change'
    if rc == PARTIAL or down:
        what = ', '.join('%s %s (%s)' % (d.get('name'), d.get('status'), d.get('detail')) for d in down) or 'a peer'
        text = 'this host is provisioned, but %s did not answer (claw-mesh exit 4)' % what
        if p['peer_down'] == 'fail':
            module.fail_json(msg=text[0].upper() + text[1:] + '.', hint='Start the peer, or set claw_mesh_peer_down: warn.', **result)
        module.warn(text)
    elif rc != 0:
        module.fail_json(msg='claw-mesh bootstrap exited %d.' % rc, **result)
    module.exit_json(**result)


def join(module):
    """The root part: this machine's tailscaled joins the tailnet, and the service user becomes its operator."""
    p = module.params
    if not p['identity']:
        module.fail_json(msg='claw_mesh_identity is empty.', hint='Set claw_mesh_identity (default: the inventory hostname).')
    if module.check_mode and not os.path.exists(p['bin']):
        module.exit_json(changed=True, msg='claw-mesh is not installed yet (%s): the join would run from scratch.' % p['bin'])
    argv = [p['bin'], 'tailscale', 'join', '--hostname', 'openclaw-' + p['identity'], '--json'] + tailnet_argv(module, p)
    if module.check_mode:
        argv.append('--dry-run')
    rc, doc = run(module, argv, secret_env(dict(tailscale_key=p['tailscale_key'])))
    if rc != 0:
        module.fail_json(msg='claw-mesh tailscale join exited %d.' % rc, exit_code=rc, join=doc)
    changed = bool(doc.get('changed')) or (module.check_mode and doc.get('action') not in (None, 'none'))
    if p['operator'] and not module.check_mode:
        tailscale = module.get_bin_path('tailscale', required=True)
        prefs_rc, prefs, _ = module.run_command([tailscale, 'debug', 'prefs'])
        if prefs_rc != 0 or json.loads(prefs or '{}').get('OperatorUser') != p['operator']:
            module.run_command([tailscale, 'set', '--operator=' + p['operator']], check_rc=True)
            changed = True
    module.exit_json(changed=changed, exit_code=rc, join=doc)


def discover(module):
    if module.check_mode:
        # bootstrap --dry-run already previewed what discovery would record.
        module.exit_json(changed=False, skipped=True, msg='peer discover has no dry run; bootstrap --dry-run previewed discovery')
    argv = [module.params['bin'], 'peer', 'discover', '--json', '--tag', module.params['mesh_tag']]
    if module.params['port']:
        argv += ['--port', str(module.params['port'])]
    rc, doc = run(module, argv)
    if rc != 0:
        module.fail_json(msg='claw-mesh peer discover exited %d.' % rc, exit_code=rc, discover=doc)
    for n in doc.get('notes') or []:
        module.warn(str(n))
    # New members also rewrite the gateway's A2A channel config (a2a.changed).
    changed = bool(doc.get('added') or doc.get('updated') or (doc.get('a2a') or {}).get('changed')) or doc.get('meshSecret') in ('stored', 'replaced')
    module.exit_json(changed=changed, exit_code=rc, discover=doc)


def leave(module):
    if module.check_mode:
        module.exit_json(changed=False, skipped=True, msg='claw-mesh leave has no dry run: run without --check to leave')
    argv = [module.params['bin'], 'leave', '--yes', '--json'] + (['--purge'] if module.params['purge'] else [])
    rc, doc = run(module, argv)
    failed = [s for s in doc.get('steps') or [] if s.get('status') == 'failed']
    result = dict(changed=any(s.get('status') == 'done' for s in doc.get('steps') or []), exit_code=rc, leave=doc)
    if failed or rc != 0:
        module.fail_json(msg='claw-mesh leave: ' + ('; '.join(str(s.get('detail')) for s in failed) or 'exit %d' % rc), **result)
    module.exit_json(**result)


def main():
    spec = dict(
        command=dict(type='str', required=True, choices=['join', 'bootstrap', 'discover', 'leave']),
        bin=dict(type='path', required=True),
        path_prefix=dict(type='str', default=''),
        identity=dict(type='str'),
        tailscale_key_file=dict(type='path'),
        mesh_secret_file=dict(type='path'),
        tailscale_key=dict(type='str', no_log=True),
        mesh_secret=dict(type='str', no_log=True),
        operator=dict(type='str'),
        tags=dict(type='list', elements='str', default=[]),
        login_server=dict(type='str'),
        expose=dict(type='str', default='', choices=['', 'tailnet', 'serve', 'lan']),
        port=dict(type='int', default=0),
        # A webhook URL can carry its own token: kept out of Ansible's logs of the module's arguments.
        alert=dict(type='str', no_log=True),
        secret_store=dict(type='str', default='', choices=['', 'auto', 'keychain', 'file']),
        mesh_tag=dict(type='str', default='tag:claw-mesh'),
        install=dict(type='bool', default=True),
        peer_down=dict(type='str', default='warn', choices=['warn', 'fail']),
        purge=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    {'join': join, 'bootstrap': bootstrap, 'discover': discover, 'leave': leave}[module.params['command']](module)


if __name__ == '__main__':
    main()
