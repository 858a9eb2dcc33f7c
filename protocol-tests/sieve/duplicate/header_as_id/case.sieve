require "duplicate";
if duplicate :header "x-list-id" :seconds 60 { discard; }
