require "regex";
if header :regex "subject" ["ok", "(unclosed"] { discard; }
