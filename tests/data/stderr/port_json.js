const line = "loss 1.09";
const message = JSON.parse(line);
console.log(message);
