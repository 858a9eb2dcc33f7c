require "variables";
if string :is "${nope}" "" { discard; }
