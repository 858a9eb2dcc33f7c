if environment :is "name" "postamt" { discard; }
