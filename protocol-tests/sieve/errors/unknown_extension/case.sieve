require ["fileinto", "teleport"];
