#!/bin/sh
# --setup script for the remote suite (runs in the guest's root before systemd starts): sshd with
# a host key of the guest's own, a client key that root's ssh uses for localhost, that key
# authorised for root and for a throw-away user, and the host key in the system-wide known_hosts,
# so `mapperctl -H USER@localhost` connects with host key checking as it is. Nothing goes under
# /root or a home directory: every file is the guest's, in /etc/ssh.
set -eu
readonly USER_NAME=mapperd-remote
readonly KEYS=/etc/ssh/mapperd-guest

rm -rf "$KEYS"
install -d -m 0755 "$KEYS" "$KEYS/authorized"
ssh-keygen -q -t ed25519 -N '' -C mapperd-guest-host -f "$KEYS/host_key"
ssh-keygen -q -t ed25519 -N '' -C root@mapperd-guest -f "$KEYS/client_key"
chmod 0600 "$KEYS/client_key"

# '*': no password, yet not locked (sshd without PAM refuses locked accounts, useradd's '!').
useradd --create-home --shell /bin/sh --password '*' "$USER_NAME"
for user in root "$USER_NAME"; do
  install -m 0644 "$KEYS/client_key.pub" "$KEYS/authorized/$user"
done

cat >/etc/ssh/sshd_config.d/mapperd-guest.conf <<CONF
# The guest's own host key only (the host's keys are the host's).
HostKey $KEYS/host_key
AuthorizedKeysFile $KEYS/authorized/%u
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
# No PAM: no logind session and no user manager started per login (seconds each under TCG).
# polkit then sees the remote user as what it is, a process outside any session.
UsePAM no
CONF

cat >/etc/ssh/ssh_config.d/mapperd-guest.conf <<CONF
Host localhost
  IdentityFile $KEYS/client_key
  BatchMode yes
  # Debian's ssh_config turns it on for every host; there is no Kerberos here.
  GSSAPIAuthentication no
  # The default sntrup761 hybrid costs a second per connection under TCG; this is loopback.
  KexAlgorithms curve25519-sha256
CONF
echo "localhost $(cat "$KEYS/host_key.pub")" >/etc/ssh/ssh_known_hosts

# sshd runs a command with the user's shell, and Debian's bash then reads ~/.bashrc: root's is
# the host's (pyenv and the like, tens of seconds per login under TCG) and no business of the
# guest's. dash reads nothing for `sh -c COMMAND`. (The throw-away user gets dash as well.)
usermod --shell /bin/sh root

install -d -m 0755 /run/sshd
/usr/sbin/sshd -t
systemctl enable ssh.service
