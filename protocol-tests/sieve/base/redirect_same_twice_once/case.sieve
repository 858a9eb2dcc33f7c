redirect "c@example.com";
redirect "C@example.com";
