require "variables";
set :length "n" "hello";
if string :is "${n}" "5" { discard; }
