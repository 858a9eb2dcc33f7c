if false { discard; } elsif header :is "subject" "hello" { redirect "a@example.com"; } else { discard; }
