if false { discard; } else { redirect "b@example.com"; }
