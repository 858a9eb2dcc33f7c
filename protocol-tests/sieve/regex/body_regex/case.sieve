require ["regex", "body"];
if body :regex "B[aeiou]b" { discard; }
