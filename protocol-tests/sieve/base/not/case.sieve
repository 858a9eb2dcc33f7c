if not exists "X-Spam" { discard; }
